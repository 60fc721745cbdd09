package dev.tandem.node.rpc;

import dev.tandem.core.Namespace;

/** A connection that can hold subscriptions (a WebSocket). HTTP calls have none. */
interface RpcSession {
  /** Registers a subscription (to a namespace's slices, or to all blocks when null); returns its id. */
  String subscribe(Namespace namespaceOrNull);

  boolean unsubscribe(String id);
}
