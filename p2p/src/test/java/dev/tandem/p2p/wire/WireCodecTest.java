package dev.tandem.p2p.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WireCodecTest {

  @Test
  void varintRoundTripsAndRejectsBadEncodings() {
    for (long v : new long[] {0, 1, 127, 128, 300, 16384, 1L << 40, (1L << 63) - 1}) {
      ByteBuf b = Unpooled.buffer();
      Varint.write(b, v);
      assertThat(b.readableBytes()).isEqualTo(Varint.size(v));
      assertThat(Varint.read(b)).isEqualTo(v);
    }
    ByteBuf partial = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80});
    assertThat(Varint.read(partial)).isEqualTo(-1);
    assertThat(partial.readerIndex()).isZero();
    byte[] tooLong = new byte[10];
    java.util.Arrays.fill(tooLong, (byte) 0x80);
    assertThatThrownBy(() -> Varint.read(Unpooled.wrappedBuffer(tooLong))).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Varint.read(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x00})))
        .hasMessageContaining("minimal");
  }

  @Test
  void base58RoundTrips() {
    Random r = new Random(1);
    for (int i = 0; i < 200; i++) {
      byte[] b = new byte[r.nextInt(40)];
      r.nextBytes(b);
      if (b.length > 0 && r.nextBoolean()) {
        b[0] = 0;
      }
      assertThat(Base58.decode(Base58.encode(b))).isEqualTo(b);
    }
    assertThat(Base58.encode("hello".getBytes(StandardCharsets.US_ASCII))).isEqualTo("Cn8eVZg");
    assertThatThrownBy(() -> Base58.decode("abc0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void multistreamNegotiatesAfterNa() {
    List<ByteBuf> toListener = new ArrayList<>();
    List<ByteBuf> toDialer = new ArrayList<>();
    Multistream dialer = Multistream.dialer(List.of("/meshsub/1.2.0", "/meshsub/1.1.0"), toListener::add);
    Multistream listener = Multistream.listener(Set.of("/meshsub/1.1.0")::contains, toDialer::add);
    String agreedDialer = null;
    String agreedListener = null;
    for (int round = 0; round < 5 && (agreedDialer == null || agreedListener == null); round++) {
      ByteBuf in = Unpooled.buffer();
      toListener.forEach(in::writeBytes);
      toListener.clear();
      if (agreedListener == null) {
        agreedListener = listener.onData(in);
      }
      ByteBuf back = Unpooled.buffer();
      toDialer.forEach(back::writeBytes);
      toDialer.clear();
      if (agreedDialer == null) {
        agreedDialer = dialer.onData(back);
      }
    }
    assertThat(agreedDialer).isEqualTo("/meshsub/1.1.0");
    assertThat(agreedListener).isEqualTo("/meshsub/1.1.0");
  }

  @Test
  void multistreamKeepsBytesAfterAgreement() {
    ByteBuf in = Unpooled.buffer();
    Multistream.writeMessage(in, Multistream.HEADER);
    Multistream.writeMessage(in, "/x");
    in.writeBytes(new byte[] {1, 2, 3});
    String agreed = Multistream.listener("/x"::equals, b -> {}).onData(in);
    assertThat(agreed).isEqualTo("/x");
    assertThat(in.readableBytes()).isEqualTo(3);
  }

  @Test
  void multistreamRejectsBadInput() {
    ByteBuf wrongHeader = Unpooled.buffer();
    Multistream.writeMessage(wrongHeader, "/multistream/2.0.0");
    assertThatThrownBy(() -> Multistream.listener(p -> true, b -> {}).onData(wrongHeader))
        .isInstanceOf(WireException.class).hasMessageContaining("header");

    ByteBuf noNewline = Unpooled.buffer();
    Varint.write(noNewline, 3);
    noNewline.writeBytes("abc".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> Multistream.listener(p -> true, b -> {}).onData(noNewline))
        .hasMessageContaining("newline");

    ByteBuf oversized = Unpooled.buffer();
    Varint.write(oversized, 1_000_000);
    assertThatThrownBy(() -> Multistream.listener(p -> true, b -> {}).onData(oversized))
        .hasMessageContaining("out of range");

    ByteBuf truncated = Unpooled.buffer();
    Multistream.writeMessage(truncated, Multistream.HEADER);
    truncated.writerIndex(truncated.writerIndex() - 3);
    assertThat(Multistream.listener(p -> true, b -> {}).onData(truncated)).isNull();

    Multistream dialer = Multistream.dialer(List.of("/only"), b -> {});
    ByteBuf na = Unpooled.buffer();
    Multistream.writeMessage(na, Multistream.HEADER);
    Multistream.writeMessage(na, Multistream.NA);
    assertThatThrownBy(() -> dialer.onData(na)).hasMessageContaining("none of");

    Multistream flooded = Multistream.listener(p -> false, b -> {});
    ByteBuf many = Unpooled.buffer();
    Multistream.writeMessage(many, Multistream.HEADER);
    for (int i = 0; i < 20; i++) {
      Multistream.writeMessage(many, "/p" + i);
    }
    assertThatThrownBy(() -> flooded.onData(many)).hasMessageContaining("too many");
  }

  @Test
  void lengthPrefixedReaderSplitsAndLimits() {
    LengthPrefixedReader r = new LengthPrefixedReader(10);
    List<byte[]> out = new ArrayList<>();
    ByteBuf both = Unpooled.buffer();
    both.writeBytes(LengthPrefixedReader.frame(new byte[] {1, 2}));
    both.writeBytes(LengthPrefixedReader.frame(new byte[] {3}));
    r.onData(both.readRetainedSlice(4), out::add);
    assertThat(out).hasSize(1);
    assertThat(r.hasPartial()).isTrue();
    r.onData(both, out::add);
    assertThat(out).hasSize(2);
    assertThat(out.get(1)).containsExactly(3);
    assertThatThrownBy(() -> r.onData(LengthPrefixedReader.frame(new byte[11]), out::add))
        .isInstanceOf(WireException.class).hasMessageContaining("exceeds");
  }
}
