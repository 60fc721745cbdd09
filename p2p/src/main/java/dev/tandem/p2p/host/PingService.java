package dev.tandem.p2p.host;

import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** libp2p ping ({@code /ipfs/ping/1.0.0}): echoes 32-byte payloads and measures round trips. */
public final class PingService {
  public static final String PROTOCOL = "/ipfs/ping/1.0.0";
  private static final int SIZE = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  public PingService(Network network) {
    network.registerProtocol(PROTOCOL, (conn, stream) -> new StreamHandler() {
      private final ByteBuf pending = Unpooled.buffer(SIZE);

      @Override
      public void onData(YamuxStream s, ByteBuf data) {
        pending.writeBytes(data);
        while (pending.readableBytes() >= SIZE) {
          s.write(pending.readBytes(SIZE));
        }
        pending.discardReadBytes();
      }

      @Override
      public void onRemoteClose(YamuxStream s) {
        s.closeWrite();
      }
    });
  }

  /** One ping over a new stream; completes with the round-trip time. */
  public CompletableFuture<Duration> ping(Connection conn) {
    byte[] payload = new byte[SIZE];
    RANDOM.nextBytes(payload);
    CompletableFuture<Duration> result = new CompletableFuture<>();
    ByteBuf echo = Unpooled.buffer(SIZE);
    long[] sentAt = new long[1];
    conn.openStream(List.of(PROTOCOL), new StreamHandler() {
      @Override
      public void onData(YamuxStream s, ByteBuf data) {
        echo.writeBytes(data, Math.min(data.readableBytes(), SIZE - echo.readableBytes()));
        if (echo.readableBytes() == SIZE) {
          byte[] got = new byte[SIZE];
          echo.readBytes(got);
          s.closeWrite();
          if (Arrays.equals(got, payload)) {
            result.complete(Duration.ofNanos(System.nanoTime() - sentAt[0]));
          } else {
            result.completeExceptionally(new WireException("ping echo does not match"));
          }
        }
      }

      @Override
      public void onRemoteClose(YamuxStream s) {
        result.completeExceptionally(new WireException("ping stream closed before the echo"));
      }

      @Override
      public void onReset(YamuxStream s) {
        result.completeExceptionally(new WireException("ping stream reset"));
      }
    }).whenComplete((s, e) -> {
      if (e != null) {
        result.completeExceptionally(e);
      } else {
        sentAt[0] = System.nanoTime();
        s.write(payload.clone());
      }
    });
    return result;
  }
}
