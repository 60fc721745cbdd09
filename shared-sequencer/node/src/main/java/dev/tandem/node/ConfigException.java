package dev.tandem.node;

/** A node config value is missing, malformed or out of range; the message names the field. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
