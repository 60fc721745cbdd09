package dev.tandem.adapters.pipeline;

/**
 * An adapter spec value is missing, malformed or inconsistent. The message names the field by its
 * path in the config file (e.g. {@code adapters.rollups[1].engine.url}) and says what to do; it is
 * fit to print as is.
 */
public final class SpecException extends IllegalArgumentException {
  public SpecException(String message) {
    super(message);
  }
}
