package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.bft.ConsensusCodec;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.node.net.NodeNetwork;
import dev.tandem.p2p.PeerId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators as real nodes with real sockets on loopback: libp2p gossip and request/response
 * between them, LMDB stores, BFT consensus. Transactions sent to any node finalize on all in the
 * same order; one node down does not stop finality and it catches up; two down stop it until one
 * returns.
 */
class ConsensusNetworkTest {
  private static final long CHAIN = ValidatorNetworkFixture.CHAIN;

  @TempDir
  Path root;

  private ValidatorNetworkFixture fixture;
  private final TandemNode[] nodes = new TandemNode[4];
  private final KeyPair user = KeyPair.generate(new Random(77));
  private long nextNonce;

  @AfterEach
  void stopAll() {
    for (int i = 0; i < nodes.length; i++) {
      stop(i);
    }
  }

  private void prepare() throws Exception {
    fixture = new ValidatorNetworkFixture(root, 4, 11);
  }

  private NodeConfig config(int index) throws Exception {
    return NodeConfig.load(fixture.writeConfig(index, 200));
  }

  private void start(int index) throws Exception {
    nodes[index] = TandemNode.start(config(index));
  }

  private void stop(int index) {
    if (nodes[index] != null) {
      nodes[index].close();
      nodes[index] = null;
    }
  }

  private Hash send(int index, String payload) {
    TandemClient client = TandemClient.connect(nodes[index].rpcUrl());
    Transaction tx = Transaction.sign(CHAIN, Namespace.of(900), nextNonce++, 100_000,
        payload.getBytes(StandardCharsets.UTF_8), user);
    return client.sendTransaction(tx);
  }

  private boolean finalizedOn(int index, Hash id) {
    return TandemClient.connect(nodes[index].rpcUrl()).receipt(id)
        .map(r -> r.status() == TxReceipt.Status.FINALIZED).orElse(false);
  }

  private void assertSameLog(int... indexes) {
    long height = Long.MAX_VALUE;
    for (int i : indexes) {
      height = Math.min(height, nodes[i].finalizedHeight());
    }
    assertThat(height).isPositive();
    for (long h = 1; h <= height; h++) {
      Hash expected = nodes[indexes[0]].blocks().get(h).map(Block::hash).orElseThrow();
      for (int i : indexes) {
        assertThat(nodes[i].blocks().get(h).map(Block::hash)).as("node %d height %d", i, h).contains(expected);
      }
    }
  }

  /** The node's finalized height once it has not moved for a second (at most 20 s). */
  private long settledHeight(int index) throws InterruptedException {
    long height = nodes[index].finalizedHeight();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000);
      long now = nodes[index].finalizedHeight();
      if (now == height) {
        return height;
      }
      height = now;
    }
    return height;
  }

  @Test
  void aValidatorsBogusProposalsLeaveNothingTrackedAtItsPeers() throws Exception {
    prepare();
    BftOrdering[] watched = new BftOrdering[1];
    nodes[0] = TandemNode.start(config(0), (c, k) -> watched[0] = new BftOrdering(c, k));
    for (int i = 1; i < 4; i++) {
      start(i);
    }
    Hash first = send(1, "first");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(0, first));
    KeyPair byzantine = fixture.keys.get(1);
    PeerId target = PeerId.fromEd25519PublicKey(fixture.keys.get(0).publicKey().toBytes());
    NodeNetwork network = nodes[1].p2p().orElseThrow();
    ConsensusCodec codec = new ConsensusCodec(1 << 20);
    Random random = new Random(5);
    // Proposals no honest leader sends: far-future views and heights, unknown parents, QCs without
    // signatures. Before the shell forgot what the core refused, each one stayed tracked for good.
    for (int i = 0; i < 300; i++) {
      long height = 1_000_000 + i;
      Block block = Block.build(CHAIN, height, randomHash(random), 1, byzantine.publicKey(), List.of());
      QuorumCertificate qc = new QuorumCertificate(CHAIN, height - 1, height - 1, randomHash(random), height - 2,
          List.of());
      network.send(target, BftOrdering.DIRECT_PROTOCOL,
          codec.encode(Proposal.sign(byzantine, CHAIN, height, block, qc, Optional.empty())));
    }
    // Then a second block for recent views that validator 1 led (up to three, in case node 0 got one
    // of the originals by block sync): evidence, which node 0 keeps. The stream is ordered and node 0
    // handles messages in arrival order, so once evidence is there, every bogus proposal before it
    // was handled.
    Set<Long> rivalViews = new HashSet<>();
    for (long height = nodes[0].finalizedHeight(); height > 0 && rivalViews.size() < 3; height--) {
      Block led = nodes[0].blocks().get(height).orElseThrow();
      if (!led.header().proposer().equals(byzantine.publicKey())) {
        continue;
      }
      long view = QuorumCertificate.decode(nodes[0].blocks().certificate(height)).view();
      Block rival = Block.build(CHAIN, led.height(), led.header().parentHash(), led.header().timestampMillis() + 1,
          byzantine.publicKey(), List.of());
      network.send(target, BftOrdering.DIRECT_PROTOCOL, codec.encode(Proposal.sign(byzantine, CHAIN, view, rival,
          QuorumCertificate.genesis(CHAIN, Hash.ZERO), Optional.empty())));
      rivalViews.add(view);
    }
    assertThat(rivalViews).as("finalized blocks that validator 1 proposed").isNotEmpty();
    await().atMost(Duration.ofSeconds(30)).until(() -> watched[0].equivocations().stream()
        .anyMatch(e -> rivalViews.contains(e.view()) && e.leader().equals(byzantine.publicKey())));
    assertThat(watched[0].trackedBlocks()).as("blocks tracked after the bogus proposals").isLessThan(16);
    // And consensus goes on.
    Hash after = send(2, "after");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(0, after) && finalizedOn(1, after));
  }

  /** One unlabelled value from the node's {@code GET /metrics}. */
  private double metric(int index, String name) throws Exception {
    return metric(scrape(index), name);
  }

  /** One scrape of a node's /metrics: values read from it belong to the same moment. */
  private String scrape(int index) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(nodes[index].rpcUrl() + "metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double metric(String scraped, String name) {
    return scraped.lines().filter(line -> line.startsWith(name + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(name.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError(name + " not in /metrics"));
  }

  private static Hash randomHash(Random random) {
    byte[] bytes = new byte[Hash.LENGTH];
    random.nextBytes(bytes);
    return Hash.of(bytes);
  }

  /**
   * A network of one validator (a devnet, or a chain before others join): its own vote is a quorum,
   * so it certifies each block in the step that proposed it. Its core used to propose again from
   * inside that step until the stack overflowed, and nothing ever finalized.
   */
  @Test
  void aLoneValidatorFinalizesAndKeepsItsLogOverARestart() throws Exception {
    fixture = new ValidatorNetworkFixture(root, 1, 12);
    start(0);
    List<Hash> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(send(0, "alone-" + i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().allMatch(id -> finalizedOn(0, id)));
    long height = nodes[0].finalizedHeight();
    Hash tip = nodes[0].blocks().get(height).map(Block::hash).orElseThrow();

    stop(0);
    start(0);
    assertThat(nodes[0].finalizedHeight()).isGreaterThanOrEqualTo(height);
    assertThat(nodes[0].blocks().get(height).map(Block::hash)).contains(tip);
    Hash afterRestart = send(0, "alone-after-restart");
    await().atMost(Duration.ofSeconds(30)).until(() -> finalizedOn(0, afterRestart));
  }

  @Test
  void fourValidatorsAgreeAndSurviveOneCrash() throws Exception {
    prepare();
    for (int i = 0; i < 4; i++) {
      start(i);
    }
    // Transactions to every node finalize everywhere, in one order.
    List<Hash> first = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      first.add(send(i % 4, "tx-" + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> first.stream().allMatch(id -> finalizedOn(0, id)
        && finalizedOn(1, id) && finalizedOn(2, id) && finalizedOn(3, id)));
    assertSameLog(0, 1, 2, 3);
    // Each node admitted two of them from its client: those are the ones its finality timer saw.
    for (int i = 0; i < 4; i++) {
      int node = i;
      await().atMost(Duration.ofSeconds(10)).until(() -> metric(node, "tandem_tx_finality_seconds_count") == 2);
    }
    assertThat(metric(0, "tandem_consensus_other_validators")).isEqualTo(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> metric(0, "tandem_consensus_connected_validators") == 3);
    // The node refreshes both every 50 ms and a scrape reads them one after the other, so one read
    // can straddle a refresh (view from before it, high QC view from after): wait for a clean one.
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      String scraped = scrape(0);
      double view = metric(scraped, "tandem_consensus_view");
      return view > 0 && view >= metric(scraped, "tandem_consensus_high_qc_view");
    });

    // One node down: the other three still finalize.
    stop(3);
    await().atMost(Duration.ofSeconds(30)).until(() -> metric(0, "tandem_consensus_connected_validators") == 2);
    Hash whileDown = send(0, "while-3-is-down");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(0, whileDown) && finalizedOn(1, whileDown)
        && finalizedOn(2, whileDown));

    // It comes back on its data directory and catches up.
    start(3);
    Hash afterReturn = send(1, "after-3-returns");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(3, whileDown) && finalizedOn(3, afterReturn));
    assertSameLog(0, 1, 2, 3);
  }

  /**
   * While a validator is down the others finalize about 2.4 MB of transactions; its peers answer its
   * block requests with as many blocks as fit one consensus message (1,000 KiB) and it asks again
   * for the rest. A response holding every requested block failed to encode, and it never caught up.
   */
  @Test
  void aReturningValidatorCatchesUpThroughMoreBlockBytesThanOneMessageHolds() throws Exception {
    prepare();
    for (int i = 0; i < 4; i++) {
      start(i);
    }
    Hash warmUp = send(0, "warm-up");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(3, warmUp));
    stop(3);
    List<Hash> large = new ArrayList<>();
    TandemClient client = TandemClient.connect(nodes[0].rpcUrl());
    for (int i = 0; i < 24; i++) {
      byte[] payload = new byte[100_000];
      new Random(i).nextBytes(payload);
      large.add(client.sendTransaction(Transaction.sign(CHAIN, Namespace.of(900), nextNonce++, 1_000_000, payload,
          user)));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> large.stream().allMatch(id -> finalizedOn(0, id)));

    start(3);
    Hash afterReturn = send(1, "after-3-returns");
    await().atMost(Duration.ofSeconds(90)).until(() -> finalizedOn(3, afterReturn)
        && large.stream().allMatch(id -> finalizedOn(3, id)));
    assertSameLog(0, 1, 2, 3);
  }

  @Test
  void twoOfFourDownStopsFinalityUntilOneReturns() throws Exception {
    prepare();
    for (int i = 0; i < 4; i++) {
      start(i);
    }
    Hash warmUp = send(0, "warm-up");
    await().atMost(Duration.ofSeconds(60)).until(() -> finalizedOn(0, warmUp) && finalizedOn(1, warmUp));

    stop(2);
    stop(3);
    // Blocks whose votes were cast before the stop may still commit; wait until the height settles.
    long heightAtStall = settledHeight(0);
    Hash stalled = send(0, "without-quorum");
    Thread.sleep(3000);
    assertThat(finalizedOn(0, stalled)).isFalse();
    assertThat(nodes[0].finalizedHeight()).isEqualTo(heightAtStall);

    start(2);
    long resumeStarted = System.nanoTime();
    await().atMost(Duration.ofSeconds(120)).until(() -> finalizedOn(0, stalled) && finalizedOn(1, stalled)
        && finalizedOn(2, stalled));
    System.out.printf("finality resumed %.1f s after the third validator returned%n",
        (System.nanoTime() - resumeStarted) / 1e9);
    assertSameLog(0, 1, 2);
  }

  @Test
  void validatorsWithoutADirectConnectionReachEachOtherThroughGossip() throws Exception {
    prepare();
    // Node 3 knows only node 0, and nodes 1 and 2 do not know node 3: 1-3 and 2-3 have no connection.
    for (int i = 0; i < 4; i++) {
      int self = i;
      nodes[i] = TandemNode.start(NodeConfig.load(fixture.writeConfig(i, 200, "full",
          j -> self == 3 ? j == 0 : j != 3 || self == 0)));
    }
    List<Hash> sent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sent.add(send(i % 2 == 0 ? 1 : 3, "relayed-" + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> sent.stream().allMatch(id -> finalizedOn(0, id)
        && finalizedOn(1, id) && finalizedOn(2, id) && finalizedOn(3, id)));
    assertThat(nodes[1].p2p().orElseThrow().connectedPeers()).doesNotContain(nodes[3].p2p().orElseThrow().localPeer());
    assertSameLog(0, 1, 2, 3);
    // Every validator's proposals get finalized, node 3's included: they reach 1 and 2 only through
    // node 0, and so do 1's and 2's votes when node 3 leads the next view. (An idle chain keeps
    // growing by empty blocks, so every leader gets its turn.)
    List<PublicKey> validators = fixture.keys.stream().map(KeyPair::publicKey).toList();
    await().atMost(Duration.ofSeconds(60)).until(() -> proposersOf(0).containsAll(validators));
  }

  private Set<PublicKey> proposersOf(int index) {
    Set<PublicKey> proposers = new HashSet<>();
    for (long h = 1; h <= nodes[index].finalizedHeight(); h++) {
      nodes[index].blocks().get(h).ifPresent(block -> proposers.add(block.header().proposer()));
    }
    return proposers;
  }
}
