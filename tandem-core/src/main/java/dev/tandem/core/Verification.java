package dev.tandem.core;

/** The outcome of a check: valid, or invalid with a reason a person can act on. */
public record Verification(boolean valid, String reason) {
  public static final Verification OK = new Verification(true, "valid");

  public static Verification failed(String reason) {
    return new Verification(false, reason);
  }
}
