package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FramesTest {
  private static final byte[] ID = Vectors.hex("00112233445566778899aabbccddeeff");

  @Test
  void frameLayoutFollowsTheSpec() {
    Frame frame = new Frame(ID, 0x0102, new byte[] {(byte) 0xAA, (byte) 0xBB, (byte) 0xCC}, true);
    assertThat(frame.encode()).isEqualTo(
        Vectors.hex("00112233445566778899aabbccddeeff" + "0102" + "00000003" + "aabbcc" + "01"));
    assertThat(Frames.encodeBatcherData(List.of(frame))).startsWith(0).hasSize(1 + 23 + 3);
  }

  @Property(tries = 100)
  void splitJoinRoundTrip(@ForAll @Size(max = 5000) byte[] channel,
      @ForAll @IntRange(min = Frame.OVERHEAD + 1, max = 700) int maxFrameSize, @ForAll long shuffleSeed) {
    List<Frame> frames = Frames.split(ID, channel, maxFrameSize);
    assertThat(frames).allSatisfy(f -> assertThat(f.encodedLength()).isLessThanOrEqualTo(maxFrameSize));
    assertThat(frames.get(frames.size() - 1).isLast()).isTrue();
    List<Frame> decoded = Frames.decodeBatcherData(Frames.encodeBatcherData(frames));
    assertThat(decoded).containsExactlyElementsOf(frames);
    List<Frame> shuffled = new ArrayList<>(decoded);
    Collections.shuffle(shuffled, new Random(shuffleSeed));
    assertThat(Frames.join(shuffled)).isEqualTo(channel);
  }

  @Test
  void emptyChannelIsOneEmptyClosingFrame() {
    List<Frame> frames = Frames.split(ID, new byte[0], 100);
    assertThat(frames).containsExactly(new Frame(ID, 0, new byte[0], true));
  }

  @Test
  void rejectsMalformedBatcherData() {
    byte[] good = Frames.encodeBatcherData(Frames.split(ID, new byte[] {1, 2, 3, 4, 5}, 26));
    assertThatThrownBy(() -> Frames.decodeBatcherData(new byte[0])).hasMessageContaining("empty");
    assertThatThrownBy(() -> Frames.decodeBatcherData(new byte[] {0})).hasMessageContaining("no frame");
    byte[] version1 = good.clone();
    version1[0] = 1;
    assertThatThrownBy(() -> Frames.decodeBatcherData(version1)).hasMessageContaining("unknown derivation version 1");
    int firstFrameEnd = 1 + Frame.OVERHEAD + 3;
    for (int cut = 2; cut < good.length; cut++) {
      if (cut == firstFrameEnd) {
        continue; // a whole first frame alone is valid data
      }
      byte[] truncated = java.util.Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> Frames.decodeBatcherData(truncated)).hasMessageContaining("truncated");
    }
    byte[] badLast = good.clone();
    badLast[1 + 23 + 3 - 1] = 2; // is_last of the first frame (3 data bytes)
    assertThatThrownBy(() -> Frames.decodeBatcherData(badLast)).hasMessageContaining("invalid is_last byte 2");
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> Frames.decodeBatcherData(trailing)).hasMessageContaining("truncated");
    byte[] tooLong = ByteBuffer.allocate(1 + 22).put((byte) 0).put(ID).putShort((short) 0).putInt(1_000_001).array();
    assertThatThrownBy(() -> Frames.decodeBatcherData(tooLong)).hasMessageContaining("exceeds 1000000");
    byte[] hugeLength = ByteBuffer.allocate(1 + 22).put((byte) 0).put(ID).putShort((short) 0).putInt(-1).array();
    assertThatThrownBy(() -> Frames.decodeBatcherData(hugeLength)).hasMessageContaining("4294967295");
  }

  @Test
  void joinRejectsGapsDuplicatesMixedChannelsAndMisplacedLast() {
    List<Frame> frames = Frames.split(ID, new byte[10], 23 + 3);
    assertThat(frames).hasSize(4);
    assertThatThrownBy(() -> Frames.join(List.of(frames.get(0), frames.get(1), frames.get(3))))
        .hasMessageContaining("frame numbers");
    assertThatThrownBy(() -> Frames.join(List.of(frames.get(0), frames.get(0))))
        .hasMessageContaining("frame numbers");
    Frame other = new Frame(new byte[16], 1, new byte[3], true);
    assertThatThrownBy(() -> Frames.join(List.of(frames.get(0), other))).hasMessageContaining("different channels");
    assertThatThrownBy(() -> Frames.join(frames.subList(0, 2))).hasMessageContaining("not marked last");
    Frame earlyLast = new Frame(ID, 0, new byte[3], true);
    assertThatThrownBy(() -> Frames.join(List.of(earlyLast, frames.get(1), frames.get(2), frames.get(3))))
        .hasMessageContaining("marked last but frames follow");
    assertThatThrownBy(() -> Frames.join(List.of())).hasMessageContaining("no frames");
  }

  @Test
  void splitRejectsTooSmallFramesAndTooManyFrames() {
    assertThatThrownBy(() -> Frames.split(ID, new byte[1], Frame.OVERHEAD))
        .hasMessageContaining("no room");
    assertThatThrownBy(() -> Frames.split(ID, new byte[70_000], Frame.OVERHEAD + 1))
        .hasMessageContaining("at most 65536");
  }
}
