package dev.tandem.client;

/** A JSON-RPC error returned by the node, or a transport failure (code 0). */
public final class RpcException extends RuntimeException {
  private final int code;

  public RpcException(int code, String message) {
    super(message);
    this.code = code;
  }

  public RpcException(String message, Throwable cause) {
    super(message, cause);
    this.code = 0;
  }

  /** The JSON-RPC error code; 0 when the node could not be reached or answered garbage. */
  public int code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code == 0 ? super.getMessage() : super.getMessage() + " (code " + code + ")";
  }
}
