package dev.tandem.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.p2p.host.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdentifyTest {
  /**
   * js-libp2p resets a second identify stream while the first is open, so asking again must not
   * open one: every caller gets the exchange the host started when the connection came up.
   */
  @Test
  void everyCallerSharesTheConnectionsOneIdentifyExchange() throws Exception {
    try (Libp2pHost a = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        Libp2pHost b = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      a.start();
      b.start();
      assertThat(a.dial(b.listenAddresses().get(0)).get(20, TimeUnit.SECONDS)).isEqualTo(b.peerId());

      CompletableFuture<Connection.IdentifyInfo> first = a.identify(b.peerId());
      CompletableFuture<Connection.IdentifyInfo> second = a.identify(b.peerId());
      assertThat(second).isSameAs(first);
      Connection.IdentifyInfo info = first.get(20, TimeUnit.SECONDS);
      assertThat(info.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
      assertThat(a.identify(b.peerId())).isSameAs(first);
    }
  }
}
