package dev.tandem.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.node.ordering.Ordering;
import dev.tandem.node.ordering.OrderingContext;
import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import dev.tandem.testsupport.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes with p2p on loopback, B and C bootstrapping to A. Each node still runs the
 * single-node orderer; blocks are one minute apart so that gossiped transactions stay pending and
 * the test asserts mempool arrival, not ordering across nodes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class P2pNetworkTest {
  private static final long CHAIN = 777;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** Through a YAML file, as an operator would configure it. */
  private NodeConfig config(String name, String listen, List<String> peers) throws Exception {
    StringBuilder yaml = new StringBuilder("dataDir: " + name + "\nchainId: " + CHAIN + "\nrpcPort: 0\n"
        + "blockIntervalMillis: 60000\nlmdbMapSizeBytes: 268435456\np2pListen: " + listen + "\nbootstrapPeers:\n");
    peers.forEach(peer -> yaml.append("  - ").append(peer).append('\n'));
    if (peers.isEmpty()) {
      yaml.append("  []\n");
    }
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, yaml);
    return NodeConfig.load(file);
  }

  private static int topicPeers(TandemNode node) throws Exception {
    return node.p2p().orElseThrow().host().gossip().topicPeers(Topics.transactionBatches(CHAIN)).get().size();
  }

  /** Peers a node forwards others' messages to (grafted on a heartbeat after subscriptions are exchanged). */
  private static int meshPeers(TandemNode node) throws Exception {
    return node.p2p().orElseThrow().host().gossip().meshPeers(Topics.transactionBatches(CHAIN)).get().size();
  }

  private static String address(TandemNode node) {
    return node.p2p().orElseThrow().listenAddresses().get(0).toString();
  }

  private static Transaction tx(KeyPair sender, long nonce) {
    return Transaction.sign(CHAIN, Namespace.of(3), nonce, 100_000, ("tx " + nonce).getBytes(StandardCharsets.UTF_8),
        sender);
  }

  private static Optional<TxReceipt.Status> status(TandemNode node, Transaction tx) {
    return TandemClient.connect(node.rpcUrl()).receipt(tx.id()).map(TxReceipt::status);
  }

  private static void awaitPending(TandemNode node, Transaction tx) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
        .until(() -> status(node, tx).equals(Optional.of(TxReceipt.Status.PENDING)));
  }

  private static int peers(TandemNode node) {
    return node.p2p().orElseThrow().peerCount();
  }

  @Test
  void transactionsGossipGarbageIsPunishedAndARestartedNodeKeepsItsPeerId() throws Exception {
    String listenA = "/ip4/127.0.0.1/tcp/" + FreePorts.next();
    TandemNode a = TandemNode.start(config("a", listenA, List.of()));
    String bootstrapA = address(a);
    PeerId idA = a.p2p().orElseThrow().localPeer();
    try (TandemNode b = TandemNode.start(config("b", "/ip4/127.0.0.1/tcp/0", List.of(bootstrapA)));
        TandemNode c = TandemNode.start(config("c", "/ip4/127.0.0.1/tcp/0", List.of(bootstrapA)))) {
      try {
        await().atMost(WAIT).until(() -> peers(a) == 2 && peers(b) == 1 && peers(c) == 1);
        // Gossip sends only to peers whose subscriptions it has heard of.
        await().atMost(WAIT).until(() -> topicPeers(a) == 2 && topicPeers(b) == 1 && topicPeers(c) == 1);
        await().atMost(WAIT).until(() -> meshPeers(a) == 2);
        // The peer id is the node key's.
        assertThat(PeerId.fromEd25519PublicKey(a.nodeKey().toBytes())).isEqualTo(idA);

        // A tx sent over RPC to A is pending in B and C (published by A, admitted durably there).
        KeyPair alice = KeyPair.generate();
        Transaction first = tx(alice, 0);
        TandemClient.connect(a.rpcUrl()).sendTransaction(first);
        awaitPending(b, first);
        awaitPending(c, first);

        // B's tx reaches C through A's forwarding (B and C are not connected).
        Transaction second = tx(alice, 1);
        b.submit(second.encode());
        awaitPending(c, second);
        awaitPending(a, second);

        // A raw libp2p peer publishing garbage on the tx topic is disconnected by A for its score.
        Identity attackerId = Identity.generate();
        try (Libp2pHost attacker = new Libp2pHost(HostConfig.defaults(attackerId,
            Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
          String topic = Topics.transactionBatches(CHAIN);
          attacker.gossip().subscribe(topic, message -> { });
          attacker.start();
          attacker.dial(Multiaddr.parse(bootstrapA)).get(10, TimeUnit.SECONDS);
          await().atMost(WAIT).until(() -> attacker.gossip().topicPeers(topic).get().contains(idA));
          for (int i = 0; i < 10 && attacker.connectedPeers().contains(idA); i++) {
            attacker.gossip().publish(topic, ("garbage " + i).getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
          }
          await().atMost(WAIT).until(() -> !a.p2p().orElseThrow().connectedPeers().contains(attackerId.peerId()));
          assertThat(attacker.connectedPeers()).doesNotContain(idA);
        }
        // The nodes keep working: still connected, and new txs still spread.
        assertThat(a.p2p().orElseThrow().connectedPeers()).containsExactlyInAnyOrder(
            b.p2p().orElseThrow().localPeer(), c.p2p().orElseThrow().localPeer());
        Transaction third = tx(alice, 2);
        TandemClient.connect(a.rpcUrl()).sendTransaction(third);
        awaitPending(b, third);
        awaitPending(c, third);
      } finally {
        a.close();
      }

      // A restarts on its data dir and port: same peer id; B and C redial it on their own.
      await().atMost(WAIT).until(() -> peers(b) == 0 && peers(c) == 0);
      try (TandemNode again = TandemNode.start(config("a", listenA, List.of()))) {
        assertThat(again.p2p().orElseThrow().localPeer()).isEqualTo(idA);
        assertThat(address(again)).isEqualTo(bootstrapA);
        await().atMost(WAIT).until(() -> peers(again) == 2 && peers(b) == 1 && peers(c) == 1);
        await().atMost(WAIT).until(() -> topicPeers(again) == 2 && topicPeers(c) == 1 && meshPeers(again) == 2);
        Transaction fourth = tx(KeyPair.generate(), 0);
        TandemClient.connect(c.rpcUrl()).sendTransaction(fourth);
        awaitPending(again, fourth);
        awaitPending(b, fourth);
      }
    }
  }

  @Test
  void peersThatStartLaterAreDialedWithRetries() throws Exception {
    // A first runs once only to create its key (and so its address); B then starts while A is down.
    String listenA = "/ip4/127.0.0.1/tcp/" + FreePorts.next();
    String bootstrapA;
    try (TandemNode probe = TandemNode.start(config("a", listenA, List.of()))) {
      bootstrapA = address(probe);
    }
    try (TandemNode b = TandemNode.start(config("b", "/ip4/127.0.0.1/tcp/0", List.of(bootstrapA)))) {
      assertThat(peers(b)).isZero();
      try (TandemNode a = TandemNode.start(config("a", listenA, List.of()))) {
        await().atMost(WAIT).until(() -> peers(a) == 1 && peers(b) == 1);
      }
    }
  }

  @Test
  void theOrderingGetsTheNetwork() throws Exception {
    AtomicReference<Optional<NodeNetwork>> seen = new AtomicReference<>();
    Ordering.Factory factory = (config, key) -> new Ordering() {
      @Override
      public void start(OrderingContext context) {
        seen.set(context.network());
      }

      @Override
      public void onAdmitted(Transaction tx) {}

      @Override
      public void close() {}
    };
    try (TandemNode node = TandemNode.start(config("n", "/ip4/127.0.0.1/tcp/0", List.of()), factory)) {
      assertThat(seen.get()).isPresent();
      assertThat(seen.get().get().localPeer()).isEqualTo(node.p2p().orElseThrow().localPeer());
    }
    try (TandemNode solo = TandemNode.start(NodeConfig.defaults(dir.resolve("solo2")).withRpcPort(0), factory)) {
      assertThat(seen.get()).isEmpty();
    }
  }

  @Test
  void p2pOffByDefault() {
    assertThat(NodeConfig.defaults(dir).p2pEnabled()).isFalse();
    try (TandemNode node = TandemNode.start(NodeConfig.defaults(dir.resolve("solo")).withRpcPort(0))) {
      assertThat(node.p2p()).isEmpty();
    }
  }
}
