package dev.tandem.da.celestia;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A Celestia version-0 blob namespace that carries a Tandem u64 namespace, so that every rollup's
 * batches land in (and are read back from) their own Celestia namespace. 29 bytes: version {@code 0},
 * 18 zero bytes, then the 10 user bytes, here a 2-byte operator-chosen prefix and the Tandem
 * namespace as a big-endian u64. Namespaces Celestia reserves (user bytes {@code 0x00..00FF}) are
 * refused, so prefix {@code 0} with a Tandem namespace below 256 is not allowed.
 */
public record CelestiaNamespace(byte[] bytes) {
  public static final int SIZE = 29;
  private static final int ZERO_PREFIX = 18;
  private static final int USER_OFFSET = 1 + ZERO_PREFIX;
  private static final int MAX_RESERVED_LAST_BYTE = 0xFF;

  /** Validates {@code bytes} as a version-0 blob namespace; throws {@link IllegalArgumentException} saying why not. */
  public CelestiaNamespace {
    if (bytes == null || bytes.length != SIZE) {
      throw new IllegalArgumentException("a Celestia namespace is " + SIZE + " bytes, got "
          + (bytes == null ? "none" : bytes.length));
    }
    bytes = bytes.clone();
    if (bytes[0] != 0) {
      throw new IllegalArgumentException("Celestia namespace version " + (bytes[0] & 0xff)
          + " is not usable for blobs; only version 0 is");
    }
    for (int i = 1; i < USER_OFFSET; i++) {
      if (bytes[i] != 0) {
        throw new IllegalArgumentException("a version-0 Celestia namespace needs 18 zero bytes after the version byte; byte "
            + i + " is 0x" + HexFormat.of().toHexDigits(bytes[i]));
      }
    }
    boolean reserved = (bytes[SIZE - 1] & 0xff) <= MAX_RESERVED_LAST_BYTE;
    for (int i = USER_OFFSET; i < SIZE - 1 && reserved; i++) {
      reserved = bytes[i] == 0;
    }
    if (reserved) {
      throw new IllegalArgumentException("Celestia namespace 0x" + HexFormat.of().formatHex(bytes)
          + " is reserved by the protocol (user bytes 0x00..00FF)");
    }
  }

  /** The namespace for Tandem namespace {@code tandemNamespace} (an unsigned u64) under {@code prefix} (0 to 65535). */
  public static CelestiaNamespace of(int prefix, long tandemNamespace) {
    if (prefix < 0 || prefix > 0xFFFF) {
      throw new IllegalArgumentException("namespace prefix must be 0 to 65535, got " + prefix);
    }
    ByteBuffer buffer = ByteBuffer.allocate(SIZE);
    buffer.position(USER_OFFSET);
    buffer.putShort((short) prefix).putLong(tandemNamespace);
    try {
      return new CelestiaNamespace(buffer.array());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Tandem namespace " + Long.toUnsignedString(tandemNamespace)
          + " under prefix 0 maps to a reserved Celestia namespace; configure a non-zero namespace prefix", e);
    }
  }

  /** Decodes the base64 form used by celestia-node's JSON-RPC. */
  public static CelestiaNamespace fromBase64(String base64) {
    try {
      return new CelestiaNamespace(Base64.getDecoder().decode(base64));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Celestia namespace: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The 2-byte prefix in the user bytes. */
  public int prefix() {
    return ByteBuffer.wrap(bytes, USER_OFFSET, 2).getShort() & 0xFFFF;
  }

  /** The Tandem namespace (unsigned u64) in the last 8 bytes. */
  public long tandemNamespace() {
    return ByteBuffer.wrap(bytes, SIZE - 8, 8).getLong();
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CelestiaNamespace n && Arrays.equals(bytes, n.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "CelestiaNamespace(0x" + HexFormat.of().formatHex(bytes) + ")";
  }
}
