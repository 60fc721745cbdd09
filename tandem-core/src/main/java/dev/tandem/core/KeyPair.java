package dev.tandem.core;

import java.security.SecureRandom;
import java.util.Random;

/** An Ed25519 key pair. The private seed never leaves this object except through {@link #seed()}. */
public final class KeyPair {
  public static final int SEED_LENGTH = 32;

  private final byte[] seed;
  private final PublicKey publicKey;

  private KeyPair(byte[] seed) {
    this.seed = seed;
    this.publicKey = Ed25519.derivePublicKey(seed);
  }

  /** Restores a key pair from its 32-byte private seed. */
  public static KeyPair fromSeed(byte[] seed) {
    if (seed.length != SEED_LENGTH) {
      throw new DecodingException("Ed25519 private seed must be 32 bytes, got " + seed.length);
    }
    return new KeyPair(seed.clone());
  }

  /** A fresh key from the given randomness (a SecureRandom in production, seeded in simulations). */
  public static KeyPair generate(Random random) {
    byte[] seed = new byte[SEED_LENGTH];
    random.nextBytes(seed);
    return new KeyPair(seed);
  }

  public static KeyPair generate() {
    return generate(new SecureRandom());
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public byte[] seed() {
    return seed.clone();
  }

  public byte[] sign(byte[] message) {
    return Ed25519.sign(seed, publicKey, message);
  }

  @Override
  public String toString() {
    return "KeyPair(" + publicKey + ")";
  }
}
