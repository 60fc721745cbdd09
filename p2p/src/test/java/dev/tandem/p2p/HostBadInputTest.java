package dev.tandem.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.p2p.host.Limits;
import dev.tandem.p2p.wire.Multistream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Garbage on the wire closes that one connection; the host keeps serving others. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostBadInputTest {
  private Libp2pHost host;
  private InetSocketAddress address;

  @BeforeEach
  void start() throws Exception {
    Limits limits = new Limits(64, 16, 1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(2));
    host = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withLimits(limits));
    host.start();
    address = host.listenAddresses().get(0).tcpAddress();
  }

  @AfterEach
  void stop() {
    host.close();
  }

  /** Sends {@code bytes} and reads until the host closes; returns what the host sent. */
  private byte[] sendAndAwaitClose(byte[] bytes) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(address, 5000);
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      return in.readAllBytes(); // returns once the host closes; times out (and fails) otherwise
    }
  }

  private static byte[] mss(String... messages) {
    ByteBuf b = Unpooled.buffer();
    for (String m : messages) {
      Multistream.writeMessage(b, m);
    }
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  @Test
  void garbageInsteadOfMultistreamIsClosed() throws Exception {
    sendAndAwaitClose("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertHostStillWorks();
  }

  @Test
  void unsupportedSecurityProtocolGetsNaThenTimesOut() throws Exception {
    byte[] reply = sendAndAwaitClose(mss(Multistream.HEADER, "/tls/1.0.0"));
    assertThat(new String(reply, StandardCharsets.US_ASCII)).contains("/multistream/1.0.0").contains("na\n");
    assertHostStillWorks();
  }

  @Test
  void truncatedOrBogusNoiseHandshakeIsClosed() throws Exception {
    byte[] select = mss(Multistream.HEADER, "/noise");
    // a frame header announcing 100 bytes followed by 3: the handshake times out
    byte[] truncated = new byte[select.length + 5];
    System.arraycopy(select, 0, truncated, 0, select.length);
    truncated[select.length + 1] = 100;
    sendAndAwaitClose(truncated);
    // a complete but too short message A
    byte[] shortA = new byte[select.length + 2 + 4];
    System.arraycopy(select, 0, shortA, 0, select.length);
    shortA[select.length + 1] = 4;
    sendAndAwaitClose(shortA);
    assertHostStillWorks();
  }

  @Test
  void dialingTheWrongPeerIdFails() {
    Multiaddr wrong = host.listenAddresses().get(0).withPeerId(Identity.generate().peerId());
    try (Libp2pHost other = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      assertThatThrownBy(() -> other.dial(wrong).get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasMessageContaining("but the peer is");
    }
  }

  @Test
  void dialingAClosedPortFails() throws Exception {
    int port;
    try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    assertThatThrownBy(() -> host.dial(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port)).get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
  }

  private void assertHostStillWorks() throws Exception {
    try (Libp2pHost other = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      other.start();
      assertThat(other.dial(host.listenAddresses().get(0)).get(20, TimeUnit.SECONDS)).isEqualTo(host.peerId());
      assertThat(other.ping(host.peerId()).get(20, TimeUnit.SECONDS)).isPositive();
    }
  }
}
