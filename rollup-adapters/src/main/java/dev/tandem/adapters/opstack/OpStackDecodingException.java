package dev.tandem.adapters.opstack;

/** Malformed, truncated or oversized OP Stack batcher data (batch, channel, frame, blob). */
public final class OpStackDecodingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OpStackDecodingException(String message) {
    super(message);
  }

  public OpStackDecodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
