package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Verification with decoded keys kept between calls must accept and reject exactly what Bouncy
 * Castle's verification from the key's bytes does: transaction validity is a consensus rule.
 */
class Ed25519Test {
  private static boolean fromBytes(byte[] key, byte[] message, byte[] signature) {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
  }

  @Test
  void agreesWithVerificationFromTheKeysBytesOnValidAndDamagedSignatures() {
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) {
      KeyPair pair = KeyPair.generate(random);
      byte[] message = new byte[random.nextInt(200)];
      random.nextBytes(message);
      byte[] signature = pair.sign(message);
      byte[] key = pair.publicKey().toBytes();
      assertThat(Ed25519.verify(pair.publicKey(), message, signature)).isTrue();
      assertThat(Ed25519.verify(pair.publicKey(), message, signature)).as("second time, key decoded").isTrue();

      byte[] damaged = signature.clone();
      damaged[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
      assertThat(Ed25519.verify(pair.publicKey(), message, damaged)).isEqualTo(fromBytes(key, message, damaged))
          .isFalse();
      byte[] highS = signature.clone();
      highS[63] |= (byte) 0xf0; // S far above the group order
      assertThat(Ed25519.verify(pair.publicKey(), message, highS)).isFalse();
      assertThat(fromBytes(key, message, highS)).isFalse();
    }
  }

  /** Ed25519 signatures are deterministic: passing the key pair's public key must not change one bit. */
  @Test
  void signaturesMatchThoseMadeWithoutPassingThePublicKey() {
    Random random = new Random(13);
    for (int i = 0; i < 100; i++) {
      KeyPair pair = KeyPair.generate(random);
      byte[] message = new byte[random.nextInt(300)];
      random.nextBytes(message);
      byte[] derivingTheKey = new byte[Ed25519.SIGNATURE_LENGTH];
      org.bouncycastle.math.ec.rfc8032.Ed25519.sign(pair.seed(), 0, message, 0, message.length, derivingTheKey, 0);
      assertThat(pair.sign(message)).isEqualTo(derivingTheKey);
    }
  }

  @Test
  void agreesOnKeysThatAreNotPointsOrAreSmallOrderOrNonCanonical() {
    Random random = new Random(11);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      keys.add(key); // about half are not the encoding of any point
    }
    keys.add(Hex.decode("0100000000000000000000000000000000000000000000000000000000000000", 32)); // identity
    keys.add(Hex.decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 32)); // y = -1, order 2
    keys.add(Hex.decode("0000000000000000000000000000000000000000000000000000000000000080", 32)); // order 4, x sign set
    keys.add(Hex.decode("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 32)); // y = p + 1
    keys.add(new byte[32]);
    KeyPair signer = KeyPair.generate(random);
    byte[] message = {1, 2, 3};
    byte[] signature = signer.sign(message);
    for (byte[] key : keys) {
      PublicKey publicKey = PublicKey.of(key);
      boolean expected = fromBytes(key, message, signature);
      assertThat(Ed25519.verify(publicKey, message, signature)).isEqualTo(expected);
      assertThat(Ed25519.verify(publicKey, message, signature)).isEqualTo(expected);
    }
  }
}
