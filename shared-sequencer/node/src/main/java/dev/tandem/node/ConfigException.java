package dev.tandem.node;

/** A node config value is missing, malformed or out of range; the message names the field (and is fit to print as is). */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }
}
