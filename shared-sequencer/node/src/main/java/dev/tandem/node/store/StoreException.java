package dev.tandem.node.store;

/** The store cannot do what was asked (full disk, map full, corrupt entry, wrong height). */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
