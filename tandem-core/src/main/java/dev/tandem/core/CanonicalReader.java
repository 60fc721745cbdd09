package dev.tandem.core;

/**
 * Reads the encoding {@link CanonicalWriter} writes. Every read checks the remaining length first,
 * and variable-size fields are checked against a caller-given maximum before anything is
 * allocated, so truncated or hostile input fails with a {@link DecodingException} and nothing else.
 */
public final class CanonicalReader {
  private final byte[] input;
  private int position;

  public CanonicalReader(byte[] input) {
    this.input = input;
  }

  private void need(int count, String field) {
    if (count < 0 || input.length - position < count) {
      throw new DecodingException("truncated input: " + field + " needs " + count
          + " bytes at offset " + position + ", " + (input.length - position) + " left");
    }
  }

  public int u8(String field) {
    need(1, field);
    return input[position++] & 0xff;
  }

  public long u32(String field) {
    need(4, field);
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (input[position++] & 0xff);
    }
    return value;
  }

  public long u64(String field) {
    need(8, field);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (input[position++] & 0xff);
    }
    return value;
  }

  /** A u64 that must fit a non-negative Java long (heights, nonces, fees, timestamps). */
  public long unsigned63(String field) {
    long value = u64(field);
    if (value < 0) {
      throw new DecodingException(field + " out of range");
    }
    return value;
  }

  public byte[] fixed(int length, String field) {
    need(length, field);
    byte[] out = new byte[length];
    System.arraycopy(input, position, out, 0, length);
    position += length;
    return out;
  }

  public Hash hash(String field) {
    return Hash.wrap(fixed(Hash.LENGTH, field));
  }

  public byte[] bytes(int maxLength, String field) {
    long length = u32(field + " length");
    if (length > maxLength) {
      throw new DecodingException(field + " is " + length + " bytes, more than the limit of " + maxLength);
    }
    return fixed((int) length, field);
  }

  /** A u32 element count bounded by {@code max} (checked before any allocation). */
  public int count(int max, String field) {
    long count = u32(field + " count");
    if (count > max) {
      throw new DecodingException(field + " count " + count + " exceeds the limit of " + max);
    }
    return (int) count;
  }

  public int remaining() {
    return input.length - position;
  }

  /** Call after the last field: canonical input has no trailing bytes. */
  public void end() {
    if (position != input.length) {
      throw new DecodingException((input.length - position) + " unexpected trailing bytes");
    }
  }
}
