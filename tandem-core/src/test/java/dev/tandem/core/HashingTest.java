package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.junit.jupiter.api.Test;

class HashingTest {
  private static byte[] reference(byte[]... parts) {
    SHA256Digest digest = new SHA256Digest();
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }

  /** Hashes are consensus data: the digest must be SHA-256 of the tag's length, the tag, then the parts. */
  @Test
  void domainHashesAreSha256OfTheLengthPrefixedTagAndTheParts() {
    Random random = new Random(3);
    byte[] tag = "tandem/tx/v1".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 50; i++) {
      byte[] a = new byte[random.nextInt(400)];
      byte[] b = new byte[random.nextInt(70)];
      random.nextBytes(a);
      random.nextBytes(b);
      byte[] expected = reference(new byte[] {(byte) tag.length}, tag, a, b);
      // twice in a row on one thread: the per-thread digest starts clean every time
      assertThat(Hashing.hash(Hashing.Domain.TX_SIGNING, a, b).toBytes()).isEqualTo(expected);
      assertThat(Hashing.hash(Hashing.Domain.TX_SIGNING, a, b).toBytes()).isEqualTo(expected);
      assertThat(Hashing.sha256(a)).isEqualTo(reference(a));
    }
    // the FIPS 180-2 test vector
    assertThat(Hex.encode(Hashing.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
