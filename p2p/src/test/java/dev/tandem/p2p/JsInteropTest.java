package dev.tandem.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.p2p.gossip.GossipConfig;
import dev.tandem.p2p.gossip.ValidationResult;
import dev.tandem.p2p.host.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The acceptance test: a real js-libp2p node and our host talk in both directions. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JsInteropTest {
  private static final String TOPIC = "tandem-interop";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void javaDialsJs() throws Exception {
    try (JsPeer js = new JsPeer(TOPIC, 90);
        Libp2pHost host = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      host.gossip().subscribe(TOPIC, m -> received.add(m.from() + " " + new String(m.data(), StandardCharsets.UTF_8)));
      host.start();

      PeerId remote = host.dial(js.address).get(30, TimeUnit.SECONDS);
      assertThat(remote).isEqualTo(js.peerId());
      js.expect(l -> l.equals("CONNECTED " + host.peerId()), WAIT);
      exerciseEverything(js, host, received);
    }
  }

  @Test
  void jsDialsJava() throws Exception {
    try (JsPeer js = new JsPeer(TOPIC, 90);
        Libp2pHost host = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      host.gossip().subscribe(TOPIC, m -> received.add(m.from() + " " + new String(m.data(), StandardCharsets.UTF_8)));
      host.start();

      js.send("DIAL " + host.listenAddresses().get(0));
      js.expect(l -> l.equals("DIALED " + host.peerId()), WAIT);
      exerciseEverything(js, host, received);
    }
  }

  @Test
  void jsRelaysGossipBetweenTwoJavaHosts() throws Exception {
    try (JsPeer js = new JsPeer(TOPIC, 90);
        Libp2pHost a = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        Libp2pHost b = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
      BlockingQueue<String> atB = new LinkedBlockingQueue<>();
      a.gossip().subscribe(TOPIC, m -> {});
      b.gossip().subscribe(TOPIC, m -> atB.add(m.from() + " " + new String(m.data(), StandardCharsets.UTF_8)));
      a.start();
      b.start();
      a.dial(js.address).get(30, TimeUnit.SECONDS);
      b.dial(js.address).get(30, TimeUnit.SECONDS);
      // a and b share no connection: a's message reaches b only through js-libp2p's mesh
      js.send("WAITSUB " + TOPIC + " 2");
      assertThat(js.expect(l -> l.startsWith("SUBSCRIBERS "), WAIT)).isEqualTo("SUBSCRIBERS " + TOPIC + " 2");
      waitUntil(() -> a.gossip().topicPeers(TOPIC).join().contains(js.peerId()));
      Thread.sleep(1500); // a js heartbeat or two, so its mesh holds both of us
      a.gossip().publish(TOPIC, "relayed".getBytes(StandardCharsets.UTF_8)).get();
      assertThat(atB.poll(30, TimeUnit.SECONDS)).isEqualTo(a.peerId() + " relayed");
      assertThat(a.connectedPeers()).containsExactly(js.peerId());
    }
  }

  /**
   * Gossipsub v1.2: js-libp2p, which has a's large message from a, tells b so (IDONTWANT) on a
   * stream it negotiated as v1.2 with us. When b's first copy came from a, b (which validates
   * slowly) then does not forward it to js. js-libp2p's default id of a signed message is the
   * publisher's protobuf key and seqno, where ours (as go-libp2p's) is its peer id and seqno: the
   * two hosts here use js's, or the ids would never match.
   */
  @Test
  void jsIdontwantSparesAJavaForward() throws Exception {
    try (JsPeer js = new JsPeer(TOPIC, 90);
        Libp2pHost a = new Libp2pHost(withJsMessageIds());
        Libp2pHost b = new Libp2pHost(withJsMessageIds())) {
      BlockingQueue<String> atB = new LinkedBlockingQueue<>();
      a.gossip().subscribe(TOPIC, m -> {});
      b.gossip().registerValidator(TOPIC, m -> {
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ValidationResult.ACCEPT;
      });
      b.gossip().subscribe(TOPIC, m -> atB.add(m.from() + " " + m.data().length + " via " + m.receivedFrom()));
      a.start();
      b.start();
      a.dial(js.address).get(30, TimeUnit.SECONDS);
      b.dial(js.address).get(30, TimeUnit.SECONDS);
      a.dial(b.listenAddresses().get(0)).get(30, TimeUnit.SECONDS);
      js.send("WAITSUB " + TOPIC + " 2");
      assertThat(js.expect(l -> l.startsWith("SUBSCRIBERS "), WAIT)).isEqualTo("SUBSCRIBERS " + TOPIC + " 2");
      waitUntil(() -> b.gossip().meshPeers(TOPIC).join().size() == 2);
      Thread.sleep(1500); // a js heartbeat or two, so its mesh holds both of us
      a.gossip().publish(TOPIC, new byte[1024]).get();
      String delivered = atB.poll(30, TimeUnit.SECONDS);
      assertThat(delivered).startsWith(a.peerId() + " 1024 via ");
      waitUntil(() -> b.gossip().dontWantsReceived() >= 1);
      if (delivered.endsWith(" via " + a.peerId())) { // else js forwarded it first, and b forwards nothing
        waitUntil(() -> b.gossip().forwardsSpared() == 1);
      }
    }
  }

  private static HostConfig withJsMessageIds() {
    return HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
        .withGossip(GossipConfig.defaults().withMessageId(message -> {
          byte[] peerId = message.from().toBytes(); // identity multihash: 0x00, length, protobuf key
          byte[] id = Arrays.copyOfRange(peerId, 2, peerId.length + message.seqno().length);
          System.arraycopy(message.seqno(), 0, id, peerId.length - 2, message.seqno().length);
          return id;
        }));
  }

  private void exerciseEverything(JsPeer js, Libp2pHost host, BlockingQueue<String> received) throws Exception {
    // identify both ways
    String ident = js.expect(l -> l.startsWith("IDENTIFY " + host.peerId()), WAIT);
    assertThat(ident).contains("tandem/").contains("/meshsub/1.1.0").contains("/ipfs/ping/1.0.0");
    Connection.IdentifyInfo info = host.identify(js.peerId()).get(30, TimeUnit.SECONDS);
    assertThat(info.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
    assertThat(info.agentVersion()).contains("libp2p");

    // ping both ways
    assertThat(host.ping(js.peerId()).get(30, TimeUnit.SECONDS)).isPositive();
    js.send("PING " + host.peerId());
    js.expect(l -> l.startsWith("PING "), WAIT);

    // gossip JS -> Java
    js.send("WAITSUB " + TOPIC + " 1");
    assertThat(js.expect(l -> l.startsWith("SUBSCRIBERS "), WAIT)).isEqualTo("SUBSCRIBERS " + TOPIC + " 1");
    js.send("PUB " + TOPIC + " hello from js");
    assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo(js.peerId() + " hello from js");

    // gossip Java -> JS
    waitUntil(() -> host.gossip().topicPeers(TOPIC).join().contains(js.peerId()));
    assertThat(host.gossip().publish(TOPIC, "hello from java".getBytes(StandardCharsets.UTF_8)).get()).isEqualTo(1);
    js.expect(l -> l.equals("MSG " + TOPIC + " " + host.peerId() + " hello from java"), WAIT);

    // several more each way, to exercise the mesh
    for (int i = 0; i < 5; i++) {
      host.gossip().publish(TOPIC, ("java " + i).getBytes(StandardCharsets.UTF_8)).get();
      js.send("PUB " + TOPIC + " js " + i);
    }
    for (int i = 0; i < 5; i++) {
      int n = i;
      js.expect(l -> l.equals("MSG " + TOPIC + " " + host.peerId() + " java " + n), WAIT);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo(js.peerId() + " js " + i);
    }
  }

  static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("condition not met within 30 s");
  }
}
