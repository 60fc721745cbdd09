package dev.tandem.adapters.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Strict reading of one object of the spec tree: every field it reads is looked up by name,
 * {@link #done()} rejects any field that was not read, and every error names the field's path.
 */
final class Fields {
  private final JsonNode node;
  private final String path;
  private final Set<String> known = new TreeSet<>();

  private Fields(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  /** The object at {@code path}; anything else is an error. */
  static Fields of(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new SpecException((path.isEmpty() ? "the adapter config" : "config field '" + path + "'")
          + " must be an object of fields, got "
          + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
    }
    return new Fields(node, path);
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  SpecException error(String field, String message) {
    return new SpecException("config field '" + path(field) + "' " + message);
  }

  /** Rejects the fields that none of the reads asked for. */
  void done() {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new SpecException("config field '" + path(name) + "' is unknown here; known fields: " + known);
      }
    }
  }

  /** Declares fields that are valid here but read elsewhere (e.g. a type discriminator). */
  Fields allow(String... names) {
    known.addAll(List.of(names));
    return this;
  }

  JsonNode raw(String field) {
    known.add(field);
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  boolean has(String field) {
    return raw(field) != null;
  }

  String text(String field) {
    JsonNode value = raw(field);
    if (value == null) {
      throw error(field, "is required");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw error(field, "must be a non-empty string, got " + value);
    }
    return value.asText();
  }

  String text(String field, String fallback) {
    return has(field) ? text(field) : fallback;
  }

  /** One of {@code choices}, case-sensitive. */
  String choice(String field, String fallback, String... choices) {
    String value = fallback == null ? text(field) : text(field, fallback);
    if (!List.of(choices).contains(value)) {
      throw error(field, "must be one of " + String.join(", ", choices) + ", got '" + value + "'");
    }
    return value;
  }

  long integer(String field, long min, long max) {
    JsonNode value = raw(field);
    if (value == null) {
      throw error(field, "is required");
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw error(field, "must be an integer, got " + value);
    }
    long result = value.asLong();
    if (result < min || result > max) {
      throw error(field, "must be " + min + " to " + max + ", got " + result);
    }
    return result;
  }

  long integer(String field, long fallback, long min, long max) {
    return has(field) ? integer(field, min, max) : fallback;
  }

  /** A non-negative integer of any size, written as a number or a decimal string (wei amounts). */
  BigInteger amount(String field) {
    JsonNode value = raw(field);
    if (value == null) {
      throw error(field, "is required");
    }
    try {
      BigInteger result = value.isIntegralNumber() ? value.bigIntegerValue()
          : value.isTextual() ? new BigInteger(value.asText()) : null;
      if (result == null || result.signum() < 0) {
        throw new NumberFormatException();
      }
      return result;
    } catch (NumberFormatException e) {
      throw error(field, "must be a non-negative integer (a number or a decimal string), got " + value);
    }
  }

  double decimal(String field, double fallback) {
    JsonNode value = raw(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw error(field, "must be a number, got " + value);
    }
    return value.asDouble();
  }

  boolean bool(String field, boolean fallback) {
    JsonNode value = raw(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw error(field, "must be true or false, got " + value);
    }
    return value.asBoolean();
  }

  /** An http(s) URL with a host. */
  URI url(String field) {
    String text = text(field);
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw error(field, "is not a URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw error(field, "must be an http(s) URL such as http://127.0.0.1:8545, got '" + text + "'");
    }
    return uri;
  }

  /** A path; a relative one resolves against {@code base}. */
  Path file(String field, Path base) {
    String text = text(field);
    try {
      return base.resolve(text).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw error(field, "is not a valid path: " + e.getMessage());
    }
  }

  /** {@code 0x} and exactly {@code bytes} bytes of hex. */
  byte[] hex(String field, int bytes) {
    String text = text(field);
    if (!text.matches("0x[0-9a-fA-F]{" + (2 * bytes) + "}")) {
      throw error(field, "must be 0x followed by " + (2 * bytes) + " hex digits, got '" + text + "'");
    }
    return java.util.HexFormat.of().parseHex(text.substring(2));
  }

  Fields object(String field) {
    JsonNode value = raw(field);
    if (value == null) {
      throw error(field, "is required");
    }
    return of(value, path(field));
  }
}
