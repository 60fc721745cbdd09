package dev.tandem.core;

/**
 * A rollup's namespace in the global log: an unsigned 64-bit identifier, by convention the
 * rollup's chain id. Blocks sort their transactions by namespace, which is what makes a
 * namespace's slice contiguous and provably complete.
 */
public record Namespace(long id) implements Comparable<Namespace> {
  public static final int LENGTH = 8;
  /** Reserved for the log's own records (atomic bundle manifests); no rollup may use it. */
  public static final Namespace SYSTEM = new Namespace(0);

  public static Namespace of(long id) {
    return new Namespace(id);
  }

  /** Parses {@code 0x}-prefixed hex or an unsigned decimal. */
  public static Namespace parse(String text) {
    if (text == null || text.isBlank()) {
      throw new DecodingException("namespace is missing");
    }
    try {
      if (text.startsWith("0x") || text.startsWith("0X")) {
        String digits = text.substring(2);
        if (digits.isEmpty() || digits.length() > 16) {
          throw new DecodingException("namespace must be 1 to 16 hex digits: " + text);
        }
        return new Namespace(Long.parseUnsignedLong(digits, 16));
      }
      return new Namespace(Long.parseUnsignedLong(text));
    } catch (NumberFormatException e) {
      throw new DecodingException("not a namespace (unsigned 64-bit, decimal or 0x-hex): " + text);
    }
  }

  public byte[] toBytes() {
    return new CanonicalWriter(LENGTH).u64(id).toByteArray();
  }

  /** The canonical text form: 0x and 16 hex digits. */
  public String toHex() {
    return String.format("0x%016x", id);
  }

  @Override
  public int compareTo(Namespace other) {
    return Long.compareUnsigned(id, other.id);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
