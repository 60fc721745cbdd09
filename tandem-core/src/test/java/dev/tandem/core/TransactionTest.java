package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransactionTest {
  private final KeyPair key = KeyPair.generate(new Random(1));

  private Transaction sample() {
    return Transaction.sign(7, Namespace.of(42), 3, 100, "hello".getBytes(StandardCharsets.UTF_8), key);
  }

  @Test
  void roundTripsAndVerifies() {
    Transaction tx = sample();
    Transaction decoded = Transaction.decode(tx.encode());
    assertThat(decoded).isEqualTo(tx);
    assertThat(decoded.id()).isEqualTo(tx.id());
    assertThat(decoded.hasValidSignature()).isTrue();
    assertThat(decoded.payload()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(decoded.encodedLength()).isEqualTo(tx.encode().length);
  }

  @Test
  void signingIsDeterministicAndIdIndependentOfSignature() {
    assertThat(sample().encode()).isEqualTo(sample().encode());
    byte[] encoded = sample().encode();
    encoded[encoded.length - 1] ^= 1;
    Transaction forged = Transaction.decode(encoded);
    assertThat(forged.id()).isEqualTo(sample().id());
    assertThat(forged.hasValidSignature()).isFalse();
  }

  @Test
  void anyFlippedBodyByteBreaksTheSignature() {
    byte[] encoded = sample().encode();
    for (int i = 1; i < encoded.length - Ed25519.SIGNATURE_LENGTH; i++) {
      byte[] copy = encoded.clone();
      copy[i] ^= 0x10;
      Transaction tampered;
      try {
        tampered = Transaction.decode(copy);
      } catch (DecodingException rejected) {
        continue; // a flipped length byte makes the input malformed, which is also a rejection
      }
      assertThat(tampered.hasValidSignature()).as("flip at %d", i).isFalse();
    }
  }

  @Test
  void rejectsTruncationAtEveryLength() {
    byte[] encoded = sample().encode();
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> Transaction.decode(truncated)).isInstanceOf(DecodingException.class);
    }
  }

  @Test
  void rejectsTrailingBytesWrongVersionAndHugeLengths() {
    byte[] encoded = sample().encode();
    byte[] trailing = java.util.Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> Transaction.decode(trailing)).hasMessageContaining("trailing");

    byte[] wrongVersion = encoded.clone();
    wrongVersion[0] = 9;
    assertThatThrownBy(() -> Transaction.decode(wrongVersion)).hasMessageContaining("version");

    byte[] hugeLength = encoded.clone();
    int lengthOffset = 1 + 8 + 8 + 32 + 8 + 8;
    hugeLength[lengthOffset] = (byte) 0x7f;
    assertThatThrownBy(() -> Transaction.decode(hugeLength)).hasMessageContaining("limit");
  }

  @Test
  void domainSeparationKeepsTransactionSignaturesFromVerifyingElsewhere() {
    Transaction tx = sample();
    Hash sameBytesOtherDomain = Hashing.hash(Hashing.Domain.VOTE, java.util.Arrays.copyOf(tx.encode(),
        tx.encodedLength() - Ed25519.SIGNATURE_LENGTH));
    assertThat(sameBytesOtherDomain).isNotEqualTo(tx.id());
  }

  @Test
  void bundleLegsRoundTripAndAreBoundToTheirBundle() {
    Hash bundleKey = Hashing.hash(Hashing.Domain.BUNDLE, new byte[] {1, 2, 3});
    Transaction leg = Transaction.signBundleLeg(7, bundleKey, Namespace.of(42), 3, 100, new byte[] {9}, key);
    Transaction decoded = Transaction.decode(leg.encode());
    assertThat(decoded.bundleKey()).contains(bundleKey);
    assertThat(decoded.hasValidSignature()).isTrue();
    assertThat(decoded.encodedLength()).isEqualTo(leg.encode().length);
    // Same fields without the binding is a different transaction: the leg cannot be unbundled.
    Transaction standalone = Transaction.sign(7, Namespace.of(42), 3, 100, new byte[] {9}, key);
    assertThat(standalone.id()).isNotEqualTo(leg.id());
    assertThat(standalone.bundleKey()).isEmpty();
    byte[] stripped = leg.encode();
    stripped[0] = Transaction.VERSION;
    assertThatThrownBy(() -> {
      Transaction reinterpreted = Transaction.decode(stripped);
      assertThat(reinterpreted.hasValidSignature()).isFalse();
      throw new DecodingException("decoded, but not validly signed");
    }).isInstanceOf(DecodingException.class);
  }
}
