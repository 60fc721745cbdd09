package dev.tandem.da;

/** A DA operation failed. {@link #transientFailure()} says whether retrying later can help. */
public final class DaException extends Exception {
  private final boolean transientFailure;

  public DaException(String message, boolean transientFailure) {
    super(message);
    this.transientFailure = transientFailure;
  }

  public DaException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  public boolean transientFailure() {
    return transientFailure;
  }
}
