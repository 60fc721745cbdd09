package dev.tandem.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.p2p.wire.WireException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Two yamux sessions joined in memory, pumped by hand so every step is deterministic. */
class YamuxSessionTest {

  /** One side's transport: bytes written wait in {@code out} until the test pumps them across. */
  private static final class Pipe implements YamuxSession.Transport {
    final ByteBuf out = Unpooled.buffer();
    final ByteBuf pendingWrite = Unpooled.buffer();
    String closedReason;

    @Override
    public void write(ByteBuf bytes) {
      pendingWrite.writeBytes(bytes);
      bytes.release();
    }

    @Override
    public void flush() {
      out.writeBytes(pendingWrite);
      pendingWrite.clear();
    }

    @Override
    public Executor eventLoop() {
      return Runnable::run;
    }

    @Override
    public boolean inEventLoop() {
      return true;
    }

    @Override
    public void close(String reason) {
      closedReason = reason;
    }
  }

  private static final class Collecting implements StreamHandler {
    final ByteBuf received = Unpooled.buffer();
    boolean remoteClosed;
    boolean reset;

    @Override
    public void onData(YamuxStream stream, ByteBuf data) {
      received.writeBytes(data);
    }

    @Override
    public void onRemoteClose(YamuxStream stream) {
      remoteClosed = true;
    }

    @Override
    public void onReset(YamuxStream stream) {
      reset = true;
    }
  }

  private final Pipe clientPipe = new Pipe();
  private final Pipe serverPipe = new Pipe();
  private final List<YamuxStream> serverStreams = new ArrayList<>();
  private final List<Collecting> serverHandlers = new ArrayList<>();
  private final YamuxSession client = new YamuxSession(true, clientPipe, 4, 1 << 20, s -> {}, "client");
  private final YamuxSession server = new YamuxSession(false, serverPipe, 4, 1 << 20, s -> {
    Collecting h = new Collecting();
    serverHandlers.add(h);
    serverStreams.add(s);
    s.setHandler(h);
  }, "server");

  private void pump() {
    for (int i = 0; i < 1000 && (clientPipe.out.isReadable() || serverPipe.out.isReadable()); i++) {
      server.onData(clientPipe.out);
      clientPipe.out.discardReadBytes();
      client.onData(serverPipe.out);
      serverPipe.out.discardReadBytes();
    }
  }

  @Test
  void transfersMoreThanTheWindowInOrderAndCloses() {
    Collecting clientSide = new Collecting();
    YamuxStream s = client.openStream(clientSide);
    assertThat(s.id() % 2).isEqualTo(1);
    byte[] payload = new byte[1 << 20];
    new Random(7).nextBytes(payload);
    s.write(payload);
    s.closeWrite();
    pump();
    assertThat(serverHandlers).hasSize(1);
    byte[] got = new byte[serverHandlers.get(0).received.readableBytes()];
    serverHandlers.get(0).received.readBytes(got);
    assertThat(got).isEqualTo(payload);
    assertThat(serverHandlers.get(0).remoteClosed).isTrue();

    serverStreams.get(0).write(new byte[] {9});
    serverStreams.get(0).closeWrite();
    pump();
    assertThat(clientSide.received.readableBytes()).isEqualTo(1);
    assertThat(clientSide.remoteClosed).isTrue();
    assertThat(client.streamCount()).isZero();
    assertThat(server.streamCount()).isZero();
  }

  @Test
  void respectsThePeersWindow() {
    YamuxStream s = client.openStream(new Collecting());
    s.write(new byte[YamuxSession.INITIAL_WINDOW + 1000]);
    // before the server grants more window, at most one window of data may leave the client
    int headerBytes = 12 * 8;
    assertThat(clientPipe.out.readableBytes()).isLessThanOrEqualTo(YamuxSession.INITIAL_WINDOW + headerBytes);
    pump();
    assertThat(serverHandlers.get(0).received.readableBytes()).isEqualTo(YamuxSession.INITIAL_WINDOW + 1000);
  }

  @Test
  void streamFloodIsCappedWithResets() {
    List<Collecting> handlers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Collecting h = new Collecting();
      handlers.add(h);
      client.openStream(h);
    }
    pump();
    assertThat(server.streamCount()).isEqualTo(4);
    assertThat(handlers.stream().filter(h -> h.reset).count()).isEqualTo(2);
  }

  @Test
  void resetReachesThePeer() {
    Collecting h = new Collecting();
    YamuxStream s = client.openStream(h);
    pump();
    serverStreams.get(0).reset();
    pump();
    assertThat(h.reset).isTrue();
    assertThat(client.streamCount()).isZero();
    assertThat(s.protocol()).isNull();
  }

  @Test
  void pingIsAnswered() {
    ByteBuf ping = Unpooled.buffer();
    ping.writeByte(0).writeByte(2).writeShort(1).writeInt(0).writeInt(42);
    server.onData(ping);
    ByteBuf reply = serverPipe.out;
    assertThat(reply.readableBytes()).isEqualTo(12);
    assertThat(reply.getByte(1)).isEqualTo((byte) 2);
    assertThat(reply.getShort(2)).isEqualTo((short) 2);
    assertThat(reply.getInt(8)).isEqualTo(42);
  }

  @Test
  void goAwayClosesTheConnection() {
    ByteBuf goAway = Unpooled.buffer();
    goAway.writeByte(0).writeByte(3).writeShort(0).writeInt(0).writeInt(0);
    server.onData(goAway);
    assertThat(serverPipe.closedReason).contains("go-away");
  }

  @Test
  void protocolViolationsAreRejected() {
    assertThatThrownBy(() -> server.onData(frame(1, 0, 1, 1, 0))).isInstanceOf(WireException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> server.onData(frame(0, 7, 0, 1, 0))).hasMessageContaining("type");
    assertThatThrownBy(() -> server.onData(frame(0, 0, 1, 1, YamuxSession.INITIAL_WINDOW + 1)))
        .hasMessageContaining("exceeds the window");
    // the server's peer (a client) must use odd ids
    assertThatThrownBy(() -> server.onData(frame(0, 1, 1, 2, 0))).hasMessageContaining("parity");
    assertThatThrownBy(() -> server.onData(frame(0, 1, 1, 0, 0))).hasMessageContaining("id 0");
    // truncated: a data header announcing more bytes than arrived just waits
    ByteBuf partial = frame(0, 0, 1, 5, 100);
    server.onData(partial);
    assertThat(partial.readerIndex()).isZero();
  }

  private static ByteBuf frame(int version, int type, int flags, int id, int length) {
    ByteBuf b = Unpooled.buffer();
    b.writeByte(version).writeByte(type).writeShort(flags).writeInt(id).writeInt(length);
    return b;
  }
}
