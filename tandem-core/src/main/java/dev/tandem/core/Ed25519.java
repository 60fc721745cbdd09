package dev.tandem.core;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint;

/**
 * Ed25519 through Bouncy Castle's RFC 8032 implementation, the fast path on the JVM (the JDK's
 * EdDSA provider is several times slower). Verification rejects non-canonical encodings.
 */
public final class Ed25519 {
  public static final int SIGNATURE_LENGTH = 64;
  private static final int DECODED_KEYS = 16_384;
  private static final Map<PublicKey, PublicPoint> DECODED = new ConcurrentHashMap<>();
  /**
   * Keys as tables of odd multiples of their negated points, for batches (1.3 KB each, so fewer
   * are kept than {@link #DECODED}).
   */
  private static final Map<PublicKey, Edwards25519.Cached[]> NEGATED = new ConcurrentHashMap<>();
  private static final int NEGATED_KEYS = 4_096;
  /**
   * Fewer signatures than this are checked one by one: the batch's shared chain of 253 doublings
   * costs more than it saves (BatchVerifyBench: 0.8x at 2, 1.15x at 4, 1.6x at 16, 1.7-2.1x at 64).
   */
  static final int MIN_BATCH = 4;
  private static final SecureRandom BLINDING = new SecureRandom();

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
   * Verifies many signatures at once; element i of the result is what
   * {@code verify(keys[i], messages[i], signatures[i])} says.
   *
   * <p>Bouncy Castle's verification is cofactored: it accepts when [8]([S]B - R - [k]A) is the
   * neutral element, for S below the group order L, R's y below p, a key it accepts, and
   * k = SHA-512(R || A || M) mod L. A batch checks the random linear combination
   * [8](Σ z_i ([S_i]B - R_i - [k_i]A_i)) with secret odd 128-bit z_i: it holds whenever every
   * signature is valid, and when one is not, only with probability about 2^-127, since the
   * cofactor leaves each invalid term in the prime-order group. Its inputs pass the same checks
   * first, and anything they set aside, as well as every signature of a batch that fails, is
   * verified on its own: so the verdicts are those of {@link #verify}, one rule for every validator.
   */
  static boolean[] verifyEach(List<PublicKey> keys, List<byte[]> messages, List<byte[]> signatures) {
    int n = keys.size();
    if (messages.size() != n || signatures.size() != n) {
      throw new IllegalArgumentException("keys, messages and signatures differ in number");
    }
    boolean[] valid = new boolean[n];
    if (n < MIN_BATCH) {
      for (int i = 0; i < n; i++) {
        valid[i] = verify(keys.get(i), messages.get(i), signatures.get(i));
      }
      return valid;
    }
    Batch batch = new Batch(n);
    List<Integer> batched = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (batch.add(keys.get(i), messages.get(i), signatures.get(i))) {
        batched.add(i);
      } else {
        valid[i] = verify(keys.get(i), messages.get(i), signatures.get(i)); // rejected in the single rule's words
      }
    }
    boolean allValid = !batched.isEmpty() && batch.holds();
    for (int i : batched) {
      valid[i] = allValid || verify(keys.get(i), messages.get(i), signatures.get(i));
    }
    return valid;
  }

  /** Whether every signature passes the batch's input checks and the batch equation holds (for tests). */
  static boolean batchEquationHolds(List<PublicKey> keys, List<byte[]> messages, List<byte[]> signatures) {
    Batch batch = new Batch(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      if (!batch.add(keys.get(i), messages.get(i), signatures.get(i))) {
        return false;
      }
    }
    return batch.holds();
  }

  /** The terms of one batch equation, collected signature by signature. Not thread-safe. */
  private static final class Batch {
    private final Edwards25519 curve = new Edwards25519();
    private final byte[] blinding;
    private final List<Edwards25519.Term> terms;
    private final Map<PublicKey, Edwards25519.Term> keyTerms = new LinkedHashMap<>(); // one per distinct key
    private final SHA512Digest sha512 = new SHA512Digest();
    private final byte[] digest = new byte[64];
    private BigInteger baseScalar = BigInteger.ZERO;
    private int count;

    Batch(int capacity) {
      blinding = new byte[16 * capacity];
      BLINDING.nextBytes(blinding);
      terms = new ArrayList<>(capacity + 1);
    }

    /**
     * Adds a signature whose inputs pass Bouncy Castle's checks: a key it accepts, S below L, R's
     * y below p and R a point. False (and nothing added) for any other, to be verified on its own.
     */
    boolean add(PublicKey key, byte[] message, byte[] signature) {
      if (signature == null || signature.length != SIGNATURE_LENGTH || decoded(key) == null) {
        return false;
      }
      BigInteger s = Edwards25519.fromLittleEndian(signature, 32, 32);
      if (s.compareTo(Edwards25519.L) >= 0) {
        return false;
      }
      Edwards25519.Point negatedR = curve.decode(Arrays.copyOf(signature, 32), true);
      Edwards25519.Cached[] negatedA = negated(curve, key);
      if (negatedR == null || negatedA == null) {
        return false;
      }
      sha512.update(signature, 0, 32);
      sha512.update(key.raw(), 0, PublicKey.LENGTH);
      sha512.update(message, 0, message.length);
      sha512.doFinal(digest, 0);
      BigInteger k = Edwards25519.fromLittleEndian(digest, 0, 64).mod(Edwards25519.L);
      BigInteger z = Edwards25519.fromLittleEndian(blinding, 16 * count++, 16).setBit(0); // odd: never zero
      terms.add(curve.term(negatedR, z));
      keyTerms.merge(key, new Edwards25519.Term(negatedA, z.multiply(k)),
          (sum, more) -> new Edwards25519.Term(sum.table(), sum.scalar().add(more.scalar())));
      baseScalar = baseScalar.add(z.multiply(s));
      return true;
    }

    /** Whether [8]([Σ z·S]B + Σ [z](-R) + Σ [z·k](-A)) is the neutral element. */
    boolean holds() {
      List<Edwards25519.Term> all = new ArrayList<>(terms);
      for (Edwards25519.Term keyTerm : keyTerms.values()) {
        all.add(new Edwards25519.Term(keyTerm.table(), keyTerm.scalar().mod(Edwards25519.L)));
      }
      Edwards25519.Point sum = curve.multiScalarMultiply(baseScalar.mod(Edwards25519.L), all);
      for (int i = 0; i < 3; i++) {
        curve.dbl(sum, sum); // the cofactor, 8
      }
      return curve.isIdentity(sum);
    }
  }

  /** The odd multiples of the key's negated point, for a key Bouncy Castle accepts. */
  private static Edwards25519.Cached[] negated(Edwards25519 curve, PublicKey key) {
    return cached(NEGATED, NEGATED_KEYS, key, k -> {
      Edwards25519.Point point = curve.decode(k.raw(), true);
      return point == null ? null : curve.oddMultiples(point, Edwards25519.WINDOW);
    });
  }

  /**
   * The key as a curve point, or null if it is not one. Decoding takes a square root, about a
   * twelfth of a verification, so keys seen before (senders send many transactions, validators
   * sign every view) are kept decoded. Bouncy Castle checks the key here exactly as its verification
   * from the key's bytes does, so the result of every verification stays the same.
   */
  private static PublicPoint decoded(PublicKey key) {
    return cached(DECODED, DECODED_KEYS, key,
        k -> org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(k.raw(), 0));
  }

  /** {@code cache}'s value for {@code key}, else {@code compute}'s, kept unless null; at most {@code bound} kept. */
  private static <V> V cached(Map<PublicKey, V> cache, int bound, PublicKey key, Function<PublicKey, V> compute) {
    V value = cache.get(key);
    if (value == null) {
      value = compute.apply(key);
      if (value != null) {
        if (cache.size() >= bound) {
          cache.clear(); // many senders at once: start over rather than track recency
        }
        cache.put(key, value);
      }
    }
    return value;
  }
}
