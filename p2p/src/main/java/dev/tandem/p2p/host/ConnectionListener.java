package dev.tandem.p2p.host;

import dev.tandem.p2p.PeerId;

/** Peer-level connection events: the first connection to a peer and the loss of its last one. */
public interface ConnectionListener {
  void onConnected(Connection connection);

  void onDisconnected(PeerId peer);
}
