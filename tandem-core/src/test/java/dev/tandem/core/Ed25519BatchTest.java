package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch verification must give every signature the verdict single verification gives it
 * (Bouncy Castle's, from the key's bytes): transaction validity is a consensus rule. The cases
 * that tell a cofactored rule from a cofactorless one (small-order parts in R or in the key) are
 * built here with our own arithmetic.
 */
class Ed25519BatchTest {
  private final Edwards25519 curve = new Edwards25519();

  private record Signed(byte[] key, byte[] message, byte[] signature) {}

  private static boolean single(Signed s) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(s.signature(), 0, s.key(), 0, s.message(), 0,
        s.message().length);
  }

  private static boolean[] batch(List<Signed> items) {
    return Ed25519.verifyEach(items.stream().map(s -> PublicKey.of(s.key())).toList(),
        items.stream().map(Signed::message).toList(), items.stream().map(Signed::signature).toList());
  }

  private static boolean equationHolds(List<Signed> items) {
    return Ed25519.batchEquationHolds(items.stream().map(s -> PublicKey.of(s.key())).toList(),
        items.stream().map(Signed::message).toList(), items.stream().map(Signed::signature).toList());
  }

  private static void assertSameVerdicts(List<Signed> items) {
    boolean[] verdicts = batch(items);
    for (int i = 0; i < items.size(); i++) {
      assertThat(verdicts[i]).as("signature %s of %s", i, items.size()).isEqualTo(single(items.get(i)));
    }
  }

  private static Signed valid(Random random, KeyPair pair) {
    byte[] message = new byte[1 + random.nextInt(100)];
    random.nextBytes(message);
    return new Signed(pair.publicKey().toBytes(), message, pair.sign(message));
  }

  @Test
  void acceptsBatchesOfValidSignaturesOfEverySizeWithRepeatedKeys() {
    Random random = new Random(21);
    List<KeyPair> pairs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pairs.add(KeyPair.generate(random));
    }
    for (int size : new int[] {0, 1, 2, 3, 7, 64}) {
      List<Signed> items = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        items.add(valid(random, pairs.get(random.nextInt(pairs.size()))));
      }
      boolean[] verdicts = batch(items);
      assertThat(verdicts).hasSize(size);
      if (size > 0) {
        assertThat(equationHolds(items)).as("the batch equation itself, size %s", size).isTrue();
      }
      for (boolean verdict : verdicts) {
        assertThat(verdict).isTrue();
      }
    }
  }

  @Test
  void aBadSignatureFailsTheBatchAndOnlyItIsRejected() {
    Random random = new Random(22);
    KeyPair pair = KeyPair.generate(random);
    for (int bad = 0; bad < 16; bad++) {
      List<Signed> items = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        items.add(valid(random, i % 2 == 0 ? pair : KeyPair.generate(random)));
      }
      Signed victim = items.get(bad);
      byte[] damaged = victim.signature().clone();
      damaged[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
      items.set(bad, new Signed(victim.key(), victim.message(), damaged));
      assertThat(equationHolds(items)).isFalse();
      boolean[] verdicts = batch(items);
      for (int i = 0; i < items.size(); i++) {
        assertThat(verdicts[i]).as("signature %s with %s damaged", i, bad).isEqualTo(i != bad);
      }
    }
  }

  @Test
  void agreesWithSingleVerificationOnSmallOrderPartsAndNonCanonicalEncodings() throws Exception {
    Random random = new Random(23);
    Edwards25519.Point torsion = pointOfOrderEight(random);
    KeyPair pair = KeyPair.generate(random);
    BigInteger a = Edwards25519Test.secretScalar(pair.seed());
    byte[] key = pair.publicKey().toBytes();
    byte[] message = "order me".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    BigInteger r = new BigInteger(252, random);

    // R with a small-order part, S made for it: the cofactored equation holds
    byte[] rWithTorsion = curve.encode(curve.multiScalarMultiply(r, List.of(curve.term(torsion, BigInteger.ONE))));
    Signed torsionInR = new Signed(key, message, signature(rWithTorsion, r.add(hash(rWithTorsion, key, message).multiply(a))));
    // a key with a small-order part: the cofactored equation holds as well
    byte[] keyWithTorsion = curve.encode(curve.multiScalarMultiply(a, List.of(curve.term(torsion, BigInteger.ONE))));
    byte[] plainR = curve.encode(curve.multiScalarMultiply(r, List.of()));
    Signed torsionInKey = new Signed(keyWithTorsion, message,
        signature(plainR, r.add(hash(plainR, keyWithTorsion, message).multiply(a))));
    // R with a small-order part but S made for the plain R: k differs, so it is invalid
    Signed wrongHash = new Signed(key, message, signature(rWithTorsion, r.add(hash(plainR, key, message).multiply(a))));
    Signed good = valid(random, pair);
    // the same signature with S + L: the same point equation, but S is not canonical
    BigInteger s = Edwards25519.fromLittleEndian(good.signature(), 32, 32);
    Signed sPlusL = new Signed(key, good.message(), withExactS(java.util.Arrays.copyOf(good.signature(), 32), s.add(Edwards25519.L)));
    // R's y = p: not canonical
    Signed rNotCanonical = new Signed(key, message, signature(Edwards25519.littleEndian(Edwards25519.P), r));
    // the identity as the key, the identity as R and S = 0: valid under a rule without key checks
    byte[] identity = Edwards25519.littleEndian(BigInteger.ONE);
    Signed identityKey = new Signed(identity, message, signature(identity, BigInteger.ZERO));

    assertThat(single(torsionInR)).as("Bouncy Castle's verification is cofactored").isTrue();
    assertThat(single(torsionInKey)).isTrue();
    assertThat(single(wrongHash)).isFalse();
    assertThat(single(sPlusL)).isFalse();
    assertThat(single(rNotCanonical)).isFalse();
    assertThat(single(identityKey)).isFalse();

    List<Signed> cases = List.of(torsionInR, torsionInKey, wrongHash, good, sPlusL, rNotCanonical, identityKey);
    assertSameVerdicts(cases);
    List<Signed> validWithTorsion = List.of(torsionInR, torsionInKey, good, valid(random, pair));
    assertThat(equationHolds(validWithTorsion)).as("the equation is cofactored too").isTrue();
    assertSameVerdicts(validWithTorsion);
    assertThat(equationHolds(List.of(wrongHash, good))).isFalse();
    for (Signed one : cases) {
      assertSameVerdicts(List.of(one, valid(random, pair), valid(random, pair), valid(random, KeyPair.generate(random))));
    }
  }

  @Test
  void randomMixturesGetTheVerdictsOfSingleVerification() {
    Random random = new Random(24);
    List<KeyPair> pairs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pairs.add(KeyPair.generate(random));
    }
    for (int round = 0; round < 100; round++) {
      List<Signed> items = new ArrayList<>();
      int size = Ed25519.MIN_BATCH + random.nextInt(12);
      for (int i = 0; i < size; i++) {
        Signed s = valid(random, pairs.get(random.nextInt(pairs.size())));
        switch (random.nextInt(6)) {
          case 0 -> {
            byte[] damaged = s.signature().clone();
            damaged[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            s = new Signed(s.key(), s.message(), damaged);
          }
          case 1 -> s = new Signed(pairs.get(random.nextInt(pairs.size())).publicKey().toBytes(), s.message(), s.signature());
          case 2 -> {
            byte[] message = s.message().clone();
            message[0] ^= 1;
            s = new Signed(s.key(), message, s.signature());
          }
          default -> { }
        }
        items.add(s);
      }
      assertSameVerdicts(items);
    }
  }

  /** A point of order exactly 8: [L]Q for random points Q lies in the small subgroup. */
  private Edwards25519.Point pointOfOrderEight(Random random) {
    while (true) {
      byte[] y = new byte[32];
      random.nextBytes(y);
      Edwards25519.Point q = curve.decode(y, false);
      if (q == null) {
        continue;
      }
      Edwards25519.Point t = curve.multiScalarMultiply(BigInteger.ZERO, List.of(curve.term(q, Edwards25519.L)));
      Edwards25519.Point t4 = curve.multiScalarMultiply(BigInteger.ZERO, List.of(curve.term(t, BigInteger.valueOf(4))));
      Edwards25519.Point t8 = curve.multiScalarMultiply(BigInteger.ZERO, List.of(curve.term(t, BigInteger.valueOf(8))));
      if (!curve.isIdentity(t4)) {
        assertThat(curve.isIdentity(t8)).isTrue();
        return t;
      }
    }
  }

  private static BigInteger hash(byte[] r, byte[] key, byte[] message) throws Exception {
    MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
    sha512.update(r);
    sha512.update(key);
    sha512.update(message);
    return Edwards25519.fromLittleEndian(sha512.digest(), 0, 64).mod(Edwards25519.L);
  }

  /** R || (S mod L). */
  private static byte[] signature(byte[] r, BigInteger s) {
    return withExactS(r, s.mod(Edwards25519.L));
  }

  /** R || S with S as given (below 2^256), reduced or not. */
  private static byte[] withExactS(byte[] r, BigInteger s) {
    byte[] out = new byte[64];
    System.arraycopy(r, 0, out, 0, 32);
    System.arraycopy(Edwards25519.littleEndian(s), 0, out, 32, 32);
    return out;
  }
}
