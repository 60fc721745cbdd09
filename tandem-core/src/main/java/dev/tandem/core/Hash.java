package dev.tandem.core;

import java.util.Arrays;

/** A 32-byte SHA-256 digest. Immutable: the array is copied in and out. */
public final class Hash implements Comparable<Hash> {
  public static final int LENGTH = 32;
  public static final Hash ZERO = new Hash(new byte[LENGTH]);

  private final byte[] bytes;
  /** {@link #hashCode}, kept once computed (0 until then): hashes key many maps on hot paths. */
  private int hashCode;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Hash of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new DecodingException("hash must be 32 bytes, got " + bytes.length);
    }
    return new Hash(bytes.clone());
  }

  public static Hash fromHex(String hex) {
    return of(Hex.decode(hex, LENGTH));
  }

  /** Wraps an array the caller will never touch again. */
  static Hash wrap(byte[] bytes) {
    return new Hash(bytes);
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  void copyTo(byte[] target, int offset) {
    System.arraycopy(bytes, 0, target, offset, LENGTH);
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Hash && Arrays.equals(bytes, ((Hash) other).bytes);
  }

  @Override
  public int hashCode() {
    int h = hashCode;
    if (h == 0) {
      h = Arrays.hashCode(bytes);
      hashCode = h; // a benign race: every thread computes the same value
    }
    return h;
  }

  @Override
  public int compareTo(Hash other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
