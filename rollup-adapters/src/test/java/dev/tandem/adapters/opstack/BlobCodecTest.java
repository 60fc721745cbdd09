package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BlobCodecTest {

  @Test
  void publishedVectors() {
    int checked = 0;
    for (String[] row : Vectors.rows("blob-vectors.txt")) {
      String kind = row[0];
      byte[] data = Vectors.bytes(row[1]);
      byte[] blob = new byte[BlobCodec.BLOB_SIZE];
      byte[] prefix = Vectors.bytes(row[2]);
      System.arraycopy(prefix, 0, blob, 0, prefix.length);
      String expected = row[3];
      if (kind.equals("encode")) {
        if (expected.equals("ok")) {
          assertThat(BlobCodec.encode(data)).as("encode %s", row[1]).isEqualTo(blob);
        } else {
          assertThatThrownBy(() -> BlobCodec.encode(data)).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("exceeds");
        }
      } else if (expected.equals("ok")) {
        assertThat(BlobCodec.decode(blob)).as("decode %s", row[2]).isEqualTo(data);
      } else {
        String message = switch (expected) {
          case "invalid-length" -> "invalid blob length";
          case "invalid-version" -> "invalid blob encoding version";
          case "invalid-field-element" -> "invalid field element";
          case "extraneous" -> "extraneous";
          default -> throw new IllegalStateException("unknown expectation " + expected);
        };
        assertThatThrownBy(() -> BlobCodec.decode(blob)).as("decode %s", row[2])
            .isInstanceOf(OpStackDecodingException.class).hasMessageContaining(message);
      }
      checked++;
    }
    assertThat(checked).isEqualTo(18);
  }

  @Test
  void maxSizeRandomDataAndItsSuffixesRoundTrip() {
    byte[] big = new byte[BlobCodec.MAX_DATA_SIZE];
    new Random(99).nextBytes(big);
    assertThat(BlobCodec.decode(BlobCodec.encode(big))).isEqualTo(big);
    for (int i = 1; i < 256; i++) {
      byte[] suffix = Arrays.copyOfRange(big, i, big.length);
      assertThat(BlobCodec.decode(BlobCodec.encode(suffix))).isEqualTo(suffix);
    }
  }

  @Test
  void extraneousDataAfterTheLengthIsRejectedAnywhere() {
    byte[] blob = BlobCodec.encode(new byte[] {1, 2, 3});
    for (int i = 8; i < BlobCodec.BLOB_SIZE; i += 997) {
      byte[] tampered = blob.clone();
      tampered[i] = (byte) ((i % 32 == 0) ? 0x01 : 0x5A);
      assertThatThrownBy(() -> BlobCodec.decode(tampered)).isInstanceOf(OpStackDecodingException.class);
    }
  }

  @Test
  void wrongBlobSizeIsRejected() {
    assertThatThrownBy(() -> BlobCodec.decode(new byte[BlobCodec.BLOB_SIZE - 1]))
        .isInstanceOf(OpStackDecodingException.class).hasMessageContaining("131072");
  }

  @Property(tries = 200)
  void roundTrip(@ForAll @Size(max = 3000) byte[] data) {
    assertThat(BlobCodec.decode(BlobCodec.encode(data))).isEqualTo(data);
  }

  @Property(tries = 300)
  void flippingAnyBitNeverDecodesToTheSameData(@ForAll @Size(max = 600) byte[] data,
      @ForAll @IntRange(min = 0, max = BlobCodec.BLOB_SIZE - 1) int index,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    byte[] blob = BlobCodec.encode(data);
    blob[index] ^= (byte) (1 << bit);
    try {
      assertThat(BlobCodec.decode(blob)).isNotEqualTo(data);
    } catch (OpStackDecodingException expected) {
      // rejected: also fine, the encoding stays bijective
    }
  }
}
