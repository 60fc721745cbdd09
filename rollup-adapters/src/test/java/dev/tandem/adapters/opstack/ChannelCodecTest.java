package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChannelCodecTest {

  static List<SingularBatch> batches(long seed, int count, int txsPerBatch) {
    Random random = new Random(seed);
    List<SingularBatch> batches = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<byte[]> txs = new ArrayList<>();
      for (int t = 0; t < txsPerBatch; t++) {
        byte[] tx = new byte[20 + random.nextInt(200)];
        random.nextBytes(tx);
        tx[0] = 0x02;
        txs.add(tx);
      }
      byte[] parent = new byte[32];
      random.nextBytes(parent);
      batches.add(new SingularBatch(parent, 100 + i / 3, new byte[32], 1_700_000_000L + 2L * i, txs));
    }
    return batches;
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void roundTripAndFirstByteTellsTheCompression(ChannelCompression compression) {
    List<SingularBatch> batches = batches(1, 12, 5);
    byte[] channel = ChannelCodec.encode(batches, compression, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    if (compression == ChannelCompression.ZLIB) {
      assertThat(channel[0] & 0x0F).isEqualTo(8);
    } else {
      assertThat(channel[0]).isEqualTo((byte) 1);
    }
    DecodedChannel decoded = ChannelCodec.decode(channel, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    assertThat(decoded.compression()).isEqualTo(compression);
    assertThat(decoded.truncatedAtLimit()).isFalse();
    assertThat(decoded.batches()).containsExactlyElementsOf(batches);
  }

  @Property(tries = 40)
  void roundTripProperty(@ForAll @IntRange(min = 0, max = 1000) int seed, @ForAll @IntRange(min = 1, max = 8) int count,
      @ForAll ChannelCompression compression) {
    List<SingularBatch> batches = batches(seed, count, seed % 4);
    byte[] channel = ChannelCodec.encode(batches, compression, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    assertThat(ChannelCodec.decode(channel, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_FJORD).batches())
        .containsExactlyElementsOf(batches);
  }

  @Test
  void encoderEnforcesTheRlpLimit() {
    List<SingularBatch> batches = batches(2, 5, 5);
    int size = ChannelCodec.rlpBatches(batches).length;
    assertThat(ChannelCodec.encode(batches, ChannelCompression.ZLIB, size)).isNotEmpty();
    assertThatThrownBy(() -> ChannelCodec.encode(batches, ChannelCompression.ZLIB, size - 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void decoderKeepsOnlyBatchesThatFitUnderTheLimit(ChannelCompression compression) {
    List<SingularBatch> batches = batches(3, 6, 4);
    int firstThree = ChannelCodec.rlpBatches(batches.subList(0, 3)).length;
    byte[] channel = ChannelCodec.encode(batches, compression, Long.MAX_VALUE);
    DecodedChannel decoded = ChannelCodec.decode(channel, firstThree + 10);
    assertThat(decoded.truncatedAtLimit()).isTrue();
    assertThat(decoded.batches()).containsExactlyElementsOf(batches.subList(0, 3));
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void zipBombStopsAtTheLimit(ChannelCompression compression) {
    // 50 MB of zeros compress to a few kB; the decoder must stop at the limit, not inflate it all.
    byte[] bomb = ChannelCodec.compress(new byte[50_000_000], compression);
    assertThat(bomb.length).isLessThan(100_000);
    assertThatThrownBy(() -> ChannelCodec.decode(bomb, 1_000_000))
        .isInstanceOf(OpStackDecodingException.class);
    // zeros are valid RLP (single bytes), but not valid batches: the first one is rejected
  }

  @Test
  void rejectsUnknownVersionEmptyAndCorruptChannels() {
    assertThatThrownBy(() -> ChannelCodec.decode(new byte[0], 100)).hasMessageContaining("empty channel");
    assertThatThrownBy(() -> ChannelCodec.decode(new byte[] {2, 3, 4}, 100))
        .hasMessageContaining("cannot tell the channel compression from first byte 0x2");
    for (ChannelCompression compression : ChannelCompression.values()) {
      byte[] channel = ChannelCodec.encode(batches(4, 4, 3), compression, Long.MAX_VALUE);
      byte[] truncated = Arrays.copyOf(channel, channel.length / 2);
      assertThatThrownBy(() -> ChannelCodec.decode(truncated, Long.MAX_VALUE))
          .as("%s truncated", compression).isInstanceOf(OpStackDecodingException.class);
      byte[] garbled = channel.clone();
      for (int i = 3; i < garbled.length; i += 2) {
        garbled[i] ^= 0x55;
      }
      assertThatThrownBy(() -> ChannelCodec.decode(garbled, Long.MAX_VALUE))
          .as("%s garbled", compression).isInstanceOf(OpStackDecodingException.class);
    }
  }

  @Test
  void rejectsGarbageBetweenBatches() {
    List<SingularBatch> batches = batches(5, 2, 1);
    byte[] rlp = ChannelCodec.rlpBatches(batches);
    byte[] withGarbage = Arrays.copyOf(rlp, rlp.length + 2);
    withGarbage[rlp.length] = (byte) 0xC1; // a list where a batch string belongs
    withGarbage[rlp.length + 1] = 0x01;
    byte[] channel = ChannelCodec.compress(withGarbage, ChannelCompression.ZLIB);
    assertThatThrownBy(() -> ChannelCodec.decode(channel, Long.MAX_VALUE))
        .hasMessageContaining("expected an RLP string");
  }
}
