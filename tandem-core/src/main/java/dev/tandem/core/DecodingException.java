package dev.tandem.core;

/** Input bytes are malformed, truncated, oversized or otherwise not a valid canonical encoding. */
public final class DecodingException extends RuntimeException {
  public DecodingException(String message) {
    super(message);
  }
}
