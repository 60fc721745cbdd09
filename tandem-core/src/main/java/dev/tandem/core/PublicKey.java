package dev.tandem.core;

import java.util.Arrays;

/** An Ed25519 public key (32 bytes). Immutable. */
public final class PublicKey implements Comparable<PublicKey> {
  public static final int LENGTH = 32;

  private final byte[] bytes;

  private PublicKey(byte[] bytes) {
    this.bytes = bytes;
  }

  public static PublicKey of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new DecodingException("Ed25519 public key must be 32 bytes, got " + bytes.length);
    }
    return new PublicKey(bytes.clone());
  }

  public static PublicKey fromHex(String hex) {
    return of(Hex.decode(hex, LENGTH));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  byte[] raw() {
    return bytes;
  }

  /** Verifies an Ed25519 signature by this key over {@code message} (strict RFC 8032 checks). */
  public boolean verify(byte[] message, byte[] signature) {
    return Ed25519.verify(this, message, signature);
  }

  public String toHex() {
    return Hex.encode(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PublicKey && Arrays.equals(bytes, ((PublicKey) other).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(PublicKey other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
