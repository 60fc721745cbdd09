package dev.tandem.core;

/**
 * Ed25519 through Bouncy Castle's RFC 8032 implementation, the fast path on the JVM (the JDK's
 * EdDSA provider is several times slower). Verification rejects non-canonical encodings.
 */
public final class Ed25519 {
  public static final int SIGNATURE_LENGTH = 64;

  static {
    org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
  }

  private Ed25519() {}

  static PublicKey derivePublicKey(byte[] seed) {
    byte[] publicKey = new byte[PublicKey.LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    return PublicKey.of(publicKey);
  }

  static byte[] sign(byte[] seed, byte[] message) {
    byte[] signature = new byte[SIGNATURE_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, signature, 0);
    return signature;
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, key.raw(), 0, message, 0, message.length);
  }
}
