package dev.tandem.core;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * Ed25519 through Bouncy Castle's RFC 8032 implementation, the fast path on the JVM (the JDK's
 * EdDSA provider is several times slower). Verification rejects non-canonical encodings.
 */
public final class Ed25519 {
  public static final int SIGNATURE_LENGTH = 64;
  private static final int DECODED_KEYS = 16_384;
  private static final Map<PublicKey, PublicPoint> DECODED = new ConcurrentHashMap<>();

  static {
    org.bouncycastle.math.ec.rfc8032.Ed25519.precompute();
  }

  private Ed25519() {}

  static PublicKey derivePublicKey(byte[] seed) {
    byte[] publicKey = new byte[PublicKey.LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, publicKey, 0);
    return PublicKey.of(publicKey);
  }

  /**
   * Signs with the seed's own public key passed in: without it Bouncy Castle derives the key again,
   * a second base-point multiplication that doubles the cost. The key must be the seed's (a wrong
   * one would yield signatures that leak the seed), which {@link KeyPair} guarantees.
   */
  static byte[] sign(byte[] seed, PublicKey publicKey, byte[] message) {
    byte[] signature = new byte[SIGNATURE_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, publicKey.raw(), 0, message, 0, message.length,
        signature, 0);
    return signature;
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (signature == null || signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    PublicPoint point = decoded(key);
    return point != null && org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, point, message, 0, message.length);
  }

  /**
   * The key as a curve point, or null if it is not one. Decoding takes a square root, about a
   * twelfth of a verification, so keys seen before (senders send many transactions, validators
   * sign every view) are kept decoded. Bouncy Castle checks the key here exactly as its verification
   * from the key's bytes does, so the result of every verification stays the same.
   */
  private static PublicPoint decoded(PublicKey key) {
    PublicPoint point = DECODED.get(key);
    if (point == null) {
      point = org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(key.raw(), 0);
      if (point != null) {
        if (DECODED.size() >= DECODED_KEYS) {
          DECODED.clear(); // many senders at once: start over rather than track recency
        }
        DECODED.put(key, point);
      }
    }
    return point;
  }
}
