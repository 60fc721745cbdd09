package dev.tandem.p2p.reqresp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.Limits;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReqRespTest {
  private Libp2pHost server;
  private Libp2pHost client;

  @BeforeEach
  void start() throws Exception {
    server = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    client = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    server.reqResp().registerHandler("upper", (from, req) ->
        CompletableFuture.completedFuture(new String(req, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8)));
    server.reqResp().registerHandler("fail", (from, req) -> CompletableFuture.failedFuture(new IllegalStateException("no such block")));
    server.reqResp().registerHandler("never", (from, req) -> new CompletableFuture<>());
    server.reqResp().registerHandler("big", (from, req) -> CompletableFuture.completedFuture(new byte[5 * 1024 * 1024]));
    server.start();
    client.start();
    client.dial(server.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void requestGetsItsResponse() throws Exception {
    for (int i = 0; i < 20; i++) {
      byte[] resp = client.reqResp().request(server.peerId(), "upper", ("block " + i).getBytes(StandardCharsets.UTF_8),
          Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
      assertThat(new String(resp, StandardCharsets.UTF_8)).isEqualTo("BLOCK " + i);
    }
    byte[] big = client.reqResp().request(server.peerId(), "big", new byte[0], Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
    assertThat(big).hasSize(5 * 1024 * 1024);
  }

  @Test
  void errorsTimeoutsAndUnknownProtocolsFailTheFuture() {
    assertThatThrownBy(() -> client.reqResp().request(server.peerId(), "fail", new byte[1], Duration.ofSeconds(10)).get())
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ReqRespException.class).hasMessageContaining("no such block");
    assertThatThrownBy(() -> client.reqResp().request(server.peerId(), "never", new byte[1], Duration.ofMillis(300)).get())
        .hasCauseInstanceOf(TimeoutException.class);
    assertThatThrownBy(() -> client.reqResp().request(server.peerId(), "missing", new byte[1], Duration.ofSeconds(10)).get())
        .hasCauseInstanceOf(ReqRespException.class).hasMessageContaining("none of");
    assertThatThrownBy(() -> client.reqResp().request(server.peerId(), "upper",
        new byte[Libp2pHost.MAX_REQRESP_BYTES + 1], Duration.ofSeconds(10)).get())
        .hasCauseInstanceOf(ReqRespException.class).hasMessageContaining("over the limit");
    assertThatThrownBy(() -> client.reqResp().request(Identity.generate().peerId(), "upper", new byte[1], Duration.ofSeconds(1)).get())
        .hasMessageContaining("not connected");
  }

  @Test
  void malformedRequestStreamsAreResetAndTheHostKeepsServing() throws Exception {
    try (Network raw = new Network(Identity.generate(), Limits.defaults(), 1)) {
      Connection conn = raw.dial(server.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      AtomicBoolean reset = new AtomicBoolean();
      StreamHandler watch = new StreamHandler() {
        @Override
        public void onData(YamuxStream s, ByteBuf data) {}

        @Override
        public void onReset(YamuxStream s) {
          reset.set(true);
        }
      };
      // announces a request larger than the limit: reset before it is buffered
      YamuxStream s = conn.openStream(List.of(ReqResp.PREFIX + "upper"), watch).get(20, TimeUnit.SECONDS);
      ByteBuf huge = io.netty.buffer.Unpooled.buffer();
      dev.tandem.p2p.wire.Varint.write(huge, Libp2pHost.MAX_REQRESP_BYTES + 1L);
      s.write(huge);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(reset);

      // two requests on one stream
      reset.set(false);
      YamuxStream s2 = conn.openStream(List.of(ReqResp.PREFIX + "upper"), watch).get(20, TimeUnit.SECONDS);
      s2.write(LengthPrefixedReader.frame(new byte[] {'a'}));
      s2.write(LengthPrefixedReader.frame(new byte[] {'b'}));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilTrue(reset);
      assertThat(conn.isOpen()).isTrue();
    }
    byte[] resp = client.reqResp().request(server.peerId(), "upper", "ok".getBytes(StandardCharsets.UTF_8),
        Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
    assertThat(resp).isEqualTo("OK".getBytes(StandardCharsets.UTF_8));
  }
}
