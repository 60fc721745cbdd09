package dev.tandem.core;

import java.util.Arrays;

/**
 * Tandem's one canonical binary encoding: big-endian fixed-width integers, fixed-size byte
 * strings written raw, variable-size byte strings prefixed by a u32 length. No optional fields,
 * no alternative forms: equal values encode to equal bytes, which is what hashing and signing need.
 */
public final class CanonicalWriter {
  private byte[] buffer;
  private int size;

  public CanonicalWriter() {
    this(128);
  }

  public CanonicalWriter(int initialCapacity) {
    buffer = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (size + extra > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + extra));
    }
  }

  public CanonicalWriter u8(int value) {
    ensure(1);
    buffer[size++] = (byte) value;
    return this;
  }

  public CanonicalWriter u32(long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("u32 out of range: " + value);
    }
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
    return this;
  }

  public CanonicalWriter u64(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer[size++] = (byte) (value >>> shift);
    }
    return this;
  }

  /** Raw bytes of a size fixed by the schema (keys, hashes, signatures). */
  public CanonicalWriter fixed(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buffer, size, bytes.length);
    size += bytes.length;
    return this;
  }

  public CanonicalWriter hash(Hash hash) {
    ensure(Hash.LENGTH);
    hash.copyTo(buffer, size);
    size += Hash.LENGTH;
    return this;
  }

  /** A variable-size byte string: u32 length, then the bytes. */
  public CanonicalWriter bytes(byte[] bytes) {
    u32(bytes.length);
    return fixed(bytes);
  }

  public int size() {
    return size;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }
}
