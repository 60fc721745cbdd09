package dev.tandem.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many real hosts on loopback in one JVM. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GossipNetworkTest {
  private static final int HOSTS = 12;
  private static final int PER_HOST = 3;
  private final List<Libp2pHost> hosts = new ArrayList<>();

  static HostConfig config() {
    return HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
        .withGossip(GossipConfig.defaults().withHeartbeatInterval(Duration.ofMillis(200)));
  }

  @AfterEach
  void closeAll() {
    hosts.forEach(Libp2pHost::close);
  }

  @Test
  void everyPublishedMessageReachesEverySubscriber() throws Exception {
    List<Set<String>> received = new ArrayList<>();
    for (int i = 0; i < HOSTS; i++) {
      Libp2pHost h = new Libp2pHost(config());
      Set<String> got = ConcurrentHashMap.newKeySet();
      received.add(got);
      h.gossip().subscribe("blocks", m -> got.add(new String(m.data(), StandardCharsets.UTF_8)));
      h.start();
      hosts.add(h);
    }
    // a ring with chords: connected, but most pairs only reach each other through relays
    for (int i = 0; i < HOSTS; i++) {
      hosts.get(i).dial(hosts.get((i + 1) % HOSTS).listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      hosts.get(i).dial(hosts.get((i + 5) % HOSTS).listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
    }
    for (Libp2pHost h : hosts) {
      await().atMost(Duration.ofSeconds(30)).until(() ->
          h.gossip().topicPeers("blocks").join().size() == h.connectedPeers().size()
              && !h.gossip().meshPeers("blocks").join().isEmpty());
    }
    Set<String> all = new java.util.HashSet<>();
    for (int i = 0; i < HOSTS; i++) {
      for (int k = 0; k < PER_HOST; k++) {
        String msg = "host" + i + "-msg" + k;
        all.add(msg);
        hosts.get(i).gossip().publish("blocks", msg.getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
    }
    for (int i = 0; i < HOSTS; i++) {
      int me = i;
      Set<String> expected = new java.util.HashSet<>(all);
      expected.removeIf(m -> m.startsWith("host" + me + "-"));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(received.get(me)).containsExactlyInAnyOrderElementsOf(expected));
    }
    // the mesh respects D_hi and every host is in someone's mesh
    for (Libp2pHost h : hosts) {
      Set<PeerId> mesh = h.gossip().meshPeers("blocks").join();
      assertThat(mesh.size()).isBetween(1, GossipConfig.defaults().dHi());
    }
  }
}
