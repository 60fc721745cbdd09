package dev.tandem.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.p2p.Libp2pHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IDONTWANT on four real hosts in a full mesh. Each validator holds a message for a while, as a
 * batch of signatures does, so the IDONTWANTs a receiver sends before validating have long arrived
 * when the others would forward: a large message then reaches every host once, a small one (below
 * the threshold, no IDONTWANT) three times.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GossipDontWantTest {
  private static final String TOPIC = "batches";
  private static final int HOSTS = 4;
  private static final int MESSAGES = 3;
  private static final long VALIDATION_MILLIS = 300;
  private final List<Libp2pHost> hosts = new ArrayList<>();
  private final AtomicInteger delivered = new AtomicInteger();

  @AfterEach
  void closeAll() {
    hosts.forEach(Libp2pHost::close);
  }

  @Test
  void largeMessagesAreNotSentAgainToPeersThatAlreadyHaveThem() throws Exception {
    fullMesh();
    publishFromFirstHost(GossipSub.IDONTWANT_MIN_BYTES);

    int forwardsPerMessage = (HOSTS - 1) * (HOSTS - 2); // each receiver to each other receiver
    await().atMost(Duration.ofSeconds(30)).until(() -> spared() == MESSAGES * forwardsPerMessage);
    assertThat(delivered.get()).isEqualTo(MESSAGES * (HOSTS - 1));
    assertThat(duplicates()).isZero();
  }

  /** On a StrictNoSign topic the IDONTWANTs leave from the network thread, as soon as a message is read. */
  @Test
  void largeUnsignedMessagesAreNotSentAgainEither() throws Exception {
    fullMesh(true);
    publishFromFirstHost(GossipSub.IDONTWANT_MIN_BYTES);

    int forwardsPerMessage = (HOSTS - 1) * (HOSTS - 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> spared() == MESSAGES * forwardsPerMessage);
    assertThat(delivered.get()).isEqualTo(MESSAGES * (HOSTS - 1));
    assertThat(duplicates()).isZero();
  }

  @Test
  void smallMessagesStillTravelEveryMeshLink() throws Exception {
    fullMesh();
    publishFromFirstHost(GossipSub.IDONTWANT_MIN_BYTES - 1);

    int copiesPerMessage = (HOSTS - 1) * (HOSTS - 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> duplicates() >= MESSAGES * copiesPerMessage);
    assertThat(duplicates()).isEqualTo(MESSAGES * copiesPerMessage);
    assertThat(spared()).isZero();
    assertThat(delivered.get()).isEqualTo(MESSAGES * (HOSTS - 1));
  }

  private void fullMesh() throws Exception {
    fullMesh(false);
  }

  private void fullMesh(boolean strictNoSign) throws Exception {
    for (int i = 0; i < HOSTS; i++) {
      Libp2pHost host = new Libp2pHost(GossipNetworkTest.config());
      if (strictNoSign) {
        host.gossip().useStrictNoSign(TOPIC);
      }
      host.gossip().registerValidator(TOPIC, message -> {
        try {
          Thread.sleep(VALIDATION_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ValidationResult.ACCEPT;
      });
      host.gossip().subscribe(TOPIC, message -> delivered.incrementAndGet());
      host.start();
      hosts.add(host);
    }
    for (int i = 0; i < HOSTS; i++) {
      for (int j = i + 1; j < HOSTS; j++) {
        hosts.get(i).dial(hosts.get(j).listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      }
    }
    for (Libp2pHost host : hosts) {
      await().atMost(Duration.ofSeconds(30)).until(() -> host.gossip().meshPeers(TOPIC).join().size() == HOSTS - 1);
    }
  }

  private void publishFromFirstHost(int bytes) throws Exception {
    for (int i = 0; i < MESSAGES; i++) {
      byte[] data = new byte[bytes];
      data[0] = (byte) i;
      hosts.get(0).gossip().publish(TOPIC, data).get(10, TimeUnit.SECONDS);
    }
  }

  private long duplicates() {
    return hosts.stream().mapToLong(h -> h.gossip().duplicatesReceived()).sum();
  }

  private long spared() {
    return hosts.stream().mapToLong(h -> h.gossip().forwardsSpared()).sum();
  }
}
