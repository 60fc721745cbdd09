package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON-RPC error to send back: code, message, optional data. */
final class RpcError extends RuntimeException {
  static final int PARSE_ERROR = -32700;
  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int INTERNAL_ERROR = -32603;
  /** Subscriptions need a WebSocket connection. */
  static final int SUBSCRIPTIONS_NEED_WEBSOCKET = -32020;
  /** The connection holds its maximum number of subscriptions. */
  static final int TOO_MANY_SUBSCRIPTIONS = -32021;
  /** The bundle does not decode (docs/bundles.md, encoding). */
  static final int MALFORMED_BUNDLE = -32030;
  /** The bundle was refused: signature, window, nonce conflict, revision, fee, pool full, already included. */
  static final int BUNDLE_REJECTED = -32031;
  /** The cancel does not decode, is for another chain or is badly signed. */
  static final int BAD_CANCEL = -32032;

  private final int code;
  private final transient JsonNode data;

  RpcError(int code, String message) {
    this(code, message, null);
  }

  RpcError(int code, String message, JsonNode data) {
    super(message, null, false, false);
    this.code = code;
    this.data = data;
  }

  int code() {
    return code;
  }

  JsonNode data() {
    return data;
  }

  static RpcError invalidParams(String message) {
    return new RpcError(INVALID_PARAMS, message);
  }
}
