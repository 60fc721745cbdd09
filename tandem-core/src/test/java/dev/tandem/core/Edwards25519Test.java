package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our edwards25519 arithmetic against Bouncy Castle's key derivation and plain integer arithmetic. */
class Edwards25519Test {
  private final Edwards25519 curve = new Edwards25519();

  /** The secret scalar RFC 8032 derives from a seed (the low half of its hash, clamped). */
  static BigInteger secretScalar(byte[] seed) throws Exception {
    byte[] h = MessageDigest.getInstance("SHA-512").digest(seed);
    h[0] &= (byte) 248;
    h[31] &= 127;
    h[31] |= 64;
    return Edwards25519.fromLittleEndian(h, 0, 32);
  }

  private byte[] timesBase(BigInteger scalar) {
    return curve.encode(curve.multiScalarMultiply(scalar, List.of()));
  }

  @Test
  void baseMultiplesMatchBouncyCastlesPublicKeys() throws Exception {
    Random random = new Random(11);
    for (int i = 0; i < 50; i++) {
      KeyPair pair = KeyPair.generate(random);
      assertThat(timesBase(secretScalar(pair.seed()))).isEqualTo(pair.publicKey().toBytes());
    }
  }

  @Test
  void aMultiScalarMultiplicationEqualsTheBaseTimesTheCombinedScalar() throws Exception {
    Random random = new Random(12);
    for (int i = 0; i < 20; i++) {
      KeyPair p = KeyPair.generate(random);
      KeyPair q = KeyPair.generate(random);
      BigInteger a = new BigInteger(256, random);
      BigInteger b = new BigInteger(128, random);
      BigInteger c = new BigInteger(252, random);
      Edwards25519.Point pPoint = curve.decode(p.publicKey().toBytes(), false);
      Edwards25519.Point qNegated = curve.decode(q.publicKey().toBytes(), true);
      // [c]B + [a]P + [b](-Q) = [c + a·p - b·q]B
      BigInteger combined = c.add(a.multiply(secretScalar(p.seed()))).subtract(b.multiply(secretScalar(q.seed())))
          .mod(Edwards25519.L);
      byte[] sum = curve.encode(curve.multiScalarMultiply(c,
          List.of(curve.term(pPoint, a), curve.term(qNegated, b))));
      assertThat(sum).isEqualTo(timesBase(combined));
    }
  }

  @Test
  void decodingAndEncodingRoundTripAndNegationFlipsTheSign() {
    Random random = new Random(13);
    for (int i = 0; i < 50; i++) {
      byte[] key = KeyPair.generate(random).publicKey().toBytes();
      assertThat(curve.encode(curve.decode(key, false))).isEqualTo(key);
      byte[] negated = curve.encode(curve.decode(key, true));
      assertThat((negated[31] ^ key[31]) & 0xff).as("only the sign bit differs").isEqualTo(0x80);
      negated[31] ^= (byte) 0x80;
      assertThat(negated).isEqualTo(key);
    }
  }

  @Test
  void nafDigitsAreOddBoundedSparseAndSumToTheScalar() {
    Random random = new Random(14);
    List<BigInteger> scalars = new java.util.ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE,
        BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE), Edwards25519.L.subtract(BigInteger.ONE)));
    for (int i = 0; i < 200; i++) {
      scalars.add(new BigInteger(1 + random.nextInt(256), random));
    }
    for (int window : new int[] {5, 7}) {
      for (BigInteger scalar : scalars) {
        byte[] naf = Edwards25519.naf(scalar, window);
        BigInteger sum = BigInteger.ZERO;
        int lastNonZero = -window;
        for (int i = 0; i < naf.length; i++) {
          if (naf[i] != 0) {
            assertThat(naf[i] & 1).as("odd").isEqualTo(1);
            assertThat(Math.abs(naf[i])).isLessThan(1 << (window - 1));
            assertThat(i - lastNonZero).as("gap").isGreaterThanOrEqualTo(window);
            lastNonZero = i;
            sum = sum.add(BigInteger.valueOf(naf[i]).shiftLeft(i));
          }
        }
        assertThat(sum).as("scalar %s, window %s", scalar, window).isEqualTo(scalar);
      }
    }
  }

  @Test
  void onlyYBelowPIsCanonical() {
    byte[] pMinusOne = Edwards25519.littleEndian(Edwards25519.P.subtract(BigInteger.ONE));
    byte[] p = Edwards25519.littleEndian(Edwards25519.P);
    byte[] allOnes = Edwards25519.littleEndian(BigInteger.ONE.shiftLeft(255).subtract(BigInteger.ONE));
    assertThat(Edwards25519.canonicalY(pMinusOne)).isTrue();
    assertThat(Edwards25519.canonicalY(p)).isFalse();
    assertThat(Edwards25519.canonicalY(allOnes)).isFalse();
    p[31] |= (byte) 0x80; // the sign bit is not part of y
    assertThat(Edwards25519.canonicalY(p)).isFalse();
    pMinusOne[31] |= (byte) 0x80;
    assertThat(Edwards25519.canonicalY(pMinusOne)).isTrue();
  }
}
