package dev.tandem.p2p.wire;

/** Malformed, truncated or oversized input from a peer; the stream or connection it came on is closed. */
public class WireException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WireException(String message) {
    super(message);
  }

  public WireException(String message, Throwable cause) {
    super(message, cause);
  }
}
