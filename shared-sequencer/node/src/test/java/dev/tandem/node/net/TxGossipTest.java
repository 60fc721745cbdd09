package dev.tandem.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.mempool.RejectReason;
import dev.tandem.node.mempool.TxValidator;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.PeerListener;
import dev.tandem.p2p.gossip.ValidationResult;
import dev.tandem.p2p.reqresp.RequestHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The gossip verdicts, against an in-memory network and the real stateless validator. */
class TxGossipTest {
  private static final long CHAIN = 5;
  private static final PeerId PEER = Identity.generate().peerId();

  /** Records subscriptions and broadcasts; no transport. */
  private static final class MemoryNetwork implements NodeNetwork {
    final List<String> topics = new ArrayList<>();
    final List<String> unsignedTopics = new ArrayList<>();
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    TopicHandler handler;

    @Override
    public PeerId localPeer() {
      return PEER;
    }

    @Override
    public List<PeerId> connectedPeers() {
      return List.of();
    }

    @Override
    public CompletableFuture<Integer> broadcast(String topic, byte[] data) {
      sent.add(data);
      return CompletableFuture.completedFuture(0);
    }

    @Override
    public void subscribe(String topic, TopicHandler handler) {
      topics.add(topic);
      this.handler = handler;
    }

    @Override
    public void subscribeUnsigned(String topic, TopicHandler handler) {
      unsignedTopics.add(topic);
      subscribe(topic, handler);
    }

    @Override
    public void registerHandler(String protocol, RequestHandler handler) {}

    @Override
    public CompletableFuture<byte[]> request(PeerId peer, String protocol, byte[] request, Duration timeout) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public void addPeerListener(PeerListener listener) {}

    @Override
    public boolean send(PeerId peer, String protocol, byte[] message) {
      return false;
    }

    @Override
    public void registerMessageHandler(String protocol, MessageHandler handler) {}
  }

  private final TxValidator validator = new TxValidator(CHAIN, 1024, 1);
  private final List<byte[]> admitted = new CopyOnWriteArrayList<>();
  private final TxGossip.Admission admission = new TxGossip.Admission() {
    @Override
    public Transaction decode(byte[] encoded) {
      return validator.decode(encoded);
    }

    @Override
    public boolean[] verifySignatures(List<Transaction> transactions) {
      return validator.verifyAheadAll(transactions);
    }

    @Override
    public void admit(byte[] encoded) {
      admitted.add(encoded);
    }
  };

  private static byte[] tx(long chain, long nonce) {
    return Transaction.sign(chain, Namespace.of(9), nonce, 100_000, new byte[] {1, 2, 3}, KeyPair.generate()).encode();
  }

  @Test
  void verdictsFollowTheReason() {
    assertThat(TxGossip.verdict(RejectReason.MALFORMED)).isEqualTo(ValidationResult.REJECT);
    assertThat(TxGossip.verdict(RejectReason.BAD_SIGNATURE)).isEqualTo(ValidationResult.REJECT);
    assertThat(TxGossip.verdict(RejectReason.WRONG_CHAIN)).isEqualTo(ValidationResult.REJECT);
    assertThat(TxGossip.verdict(RejectReason.DUPLICATE)).isEqualTo(ValidationResult.IGNORE);
    assertThat(TxGossip.verdict(RejectReason.FEE_TOO_LOW)).isEqualTo(ValidationResult.IGNORE);
    assertThat(TxGossip.verdict(RejectReason.NONCE_TOO_LOW)).isEqualTo(ValidationResult.IGNORE);
  }

  /** One message carrying {@code transactions}. */
  private static byte[] batch(byte[]... transactions) {
    return TxGossip.encodeBatch(List.of(transactions));
  }

  /** Every transaction in the messages sent so far, in order. */
  private static List<byte[]> published(MemoryNetwork network) {
    List<byte[]> all = new ArrayList<>();
    network.sent.forEach(message -> all.addAll(TxGossip.decodeBatch(message)));
    return all;
  }

  @Test
  void acceptsNewTransactionsOnceAndRejectsGarbage() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission)) {
      gossip.start();
      assertThat(network.topics).containsExactly("/tandem/5/txs/3");
      assertThat(network.unsignedTopics).containsExactly("/tandem/5/txs/3");
      byte[] good = tx(CHAIN, 0);
      assertThat(network.handler.onMessage(PEER, batch(good))).isEqualTo(ValidationResult.ACCEPT);
      assertThat(network.handler.onMessage(PEER, batch(good))).isEqualTo(ValidationResult.IGNORE);
      await().atMost(Duration.ofSeconds(10)).until(() -> admitted.size() == 1);
      assertThat(admitted.get(0)).isEqualTo(good);

      assertThat(network.handler.onMessage(PEER, new byte[] {1, 2, 3})).isEqualTo(ValidationResult.REJECT);
      assertThat(network.handler.onMessage(PEER, new byte[0])).isEqualTo(ValidationResult.REJECT);
      assertThat(network.handler.onMessage(PEER, batch(new byte[] {1, 2, 3}))).isEqualTo(ValidationResult.REJECT);
      assertThat(network.handler.onMessage(PEER, batch(tx(CHAIN + 1, 0)))).isEqualTo(ValidationResult.REJECT);
      byte[] forged = tx(CHAIN, 1);
      forged[forged.length - 1] ^= 1; // last byte of the signature
      assertThat(network.handler.onMessage(PEER, batch(forged))).isEqualTo(ValidationResult.REJECT);
      byte[] huge = Transaction.sign(CHAIN, Namespace.of(9), 0, 10_000_000, new byte[2048], KeyPair.generate())
          .encode();
      assertThat(network.handler.onMessage(PEER, batch(huge))).isEqualTo(ValidationResult.IGNORE);
      assertThat(admitted).hasSize(1);
    }
  }

  @Test
  void aBadTransactionRejectsItsBatchButTheGoodOnesAreAdmitted() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission)) {
      gossip.start();
      byte[] first = tx(CHAIN, 0);
      byte[] forged = tx(CHAIN, 0);
      forged[forged.length - 1] ^= 1;
      byte[] second = tx(CHAIN, 0);
      assertThat(network.handler.onMessage(PEER, batch(first, forged, second))).isEqualTo(ValidationResult.REJECT);
      await().atMost(Duration.ofSeconds(10)).until(() -> admitted.size() == 2);
      assertThat(admitted).containsExactlyInAnyOrder(first, second);
      // Only repeats, plus one this node's fee policy ignores: nothing to forward.
      byte[] cheap = Transaction.sign(CHAIN, Namespace.of(9), 0, 1, new byte[] {1}, KeyPair.generate()).encode();
      assertThat(network.handler.onMessage(PEER, batch(first, cheap, second))).isEqualTo(ValidationResult.IGNORE);
      // One new among repeats: forwarded.
      byte[] third = tx(CHAIN, 0);
      assertThat(network.handler.onMessage(PEER, batch(first, third))).isEqualTo(ValidationResult.ACCEPT);
      await().atMost(Duration.ofSeconds(10)).until(() -> admitted.size() == 3);
    }
  }

  @Test
  void publishedTransactionsAreNotAdmittedAgainWhenTheyComeBack() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission)) {
      gossip.start();
      byte[] raw = tx(CHAIN, 0);
      gossip.publish(Transaction.decode(raw), raw);
      // Sent after the batch delay, with no further transaction coming.
      await().atMost(Duration.ofSeconds(10)).until(() -> network.sent.size() == 1);
      assertThat(published(network)).containsExactly(raw);
      assertThat(network.handler.onMessage(PEER, batch(raw))).isEqualTo(ValidationResult.IGNORE);
      assertThat(admitted).isEmpty();
    }
  }

  @Test
  void aTransactionAfterAQuietIntervalGoesAtOnceAndOneWithinItWaits() {
    MemoryNetwork network = new MemoryNetwork();
    // Every gap between two publishes is longer than a nanosecond: nothing waits.
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission, Duration.ofNanos(1))) {
      for (int i = 0; i < 3; i++) {
        byte[] raw = tx(CHAIN, i);
        gossip.publish(Transaction.decode(raw), raw);
        assertThat(network.sent).hasSize(i + 1);
      }
    }
    // Within the interval after the last batch (here: since construction), transactions gather.
    MemoryNetwork gathering = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(gathering, CHAIN, admission, Duration.ofHours(1))) {
      for (int i = 0; i < 3; i++) {
        byte[] raw = tx(CHAIN, i);
        gossip.publish(Transaction.decode(raw), raw);
      }
      assertThat(gathering.sent).isEmpty();
    }
    assertThat(gathering.sent).hasSize(1);
    assertThat(TxGossip.decodeBatch(gathering.sent.get(0))).hasSize(3);
  }

  /** A JSON-RPC batch's admissions publish under a hold: after a quiet interval they still leave as one message. */
  @Test
  void admissionsUnderAHoldLeaveTogetherWhenItIsReleased() throws Exception {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission, Duration.ofSeconds(1))) {
      Thread.sleep(1_100); // quiet for longer than the batch interval: a lone publish would go at once
      Runnable release = gossip.hold();
      for (int i = 0; i < 3; i++) {
        byte[] raw = tx(CHAIN, i);
        gossip.publish(Transaction.decode(raw), raw);
      }
      assertThat(network.sent).isEmpty();
      release.run();
      assertThat(network.sent).hasSize(1);
      assertThat(TxGossip.decodeBatch(network.sent.get(0))).hasSize(3);
    }
  }

  @Test
  void aFullBatchGoesOutAtOnceAndCloseSendsTheRest() {
    MemoryNetwork network = new MemoryNetwork();
    List<byte[]> raws = new ArrayList<>();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission, Duration.ofHours(1))) {
      gossip.start();
      for (int i = 0; i <= TxGossip.MAX_BATCH_TXS; i++) {
        byte[] raw = tx(CHAIN, i);
        raws.add(raw);
        gossip.publish(Transaction.decode(raw), raw);
      }
      assertThat(network.sent).hasSize(1);
      assertThat(TxGossip.decodeBatch(network.sent.get(0))).hasSize(TxGossip.MAX_BATCH_TXS);
    }
    assertThat(network.sent).hasSize(2);
    assertThat(published(network)).containsExactlyElementsOf(raws);
  }

  @Test
  void batchesStayUnderTheByteLimitAndALargeTransactionGoesAlone() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission, Duration.ofHours(1))) {
      byte[] small = tx(CHAIN, 0);
      gossip.publish(Transaction.decode(small), small);
      byte[] large = Transaction.sign(CHAIN, Namespace.of(9), 0, 1 << 30, new byte[TxGossip.MAX_BATCH_BYTES],
          KeyPair.generate()).encode();
      gossip.publish(Transaction.decode(large), large);
      // The small one could not share a message with the large one; the large one filled its own.
      assertThat(network.sent).hasSize(2);
      assertThat(TxGossip.decodeBatch(network.sent.get(0))).containsExactly(small);
      assertThat(TxGossip.decodeBatch(network.sent.get(1))).containsExactly(large);
    }
  }

  @Test
  void batchCodecRoundTripsAndRefusesBadInput() {
    byte[] a = tx(CHAIN, 0);
    byte[] b = tx(CHAIN, 1);
    byte[] encoded = batch(a, b);
    assertThat(TxGossip.decodeBatch(encoded)).containsExactly(a, b);

    byte[] truncated = Arrays.copyOf(encoded, encoded.length - 1);
    assertThatThrownBy(() -> TxGossip.decodeBatch(truncated)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("truncated");
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> TxGossip.decodeBatch(trailing)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("trailing");
    assertThatThrownBy(() -> TxGossip.decodeBatch(new byte[0])).isInstanceOf(DecodingException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> TxGossip.decodeBatch(new CanonicalWriter().u32(0).toByteArray()))
        .isInstanceOf(DecodingException.class).hasMessageContaining("empty");
    byte[] tooMany = new CanonicalWriter().u32(TxGossip.MAX_BATCH_TXS + 1).toByteArray();
    assertThatThrownBy(() -> TxGossip.decodeBatch(tooMany)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("exceeds the limit of " + TxGossip.MAX_BATCH_TXS);
    byte[] countTooHigh = batch(a, b);
    countTooHigh[3] = 3; // the count says three, two follow
    assertThatThrownBy(() -> TxGossip.decodeBatch(countTooHigh)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("truncated");
    byte[] entryTooLong = new CanonicalWriter().u32(1).u32(Transaction.MAX_ENCODED_BYTES + 1L).toByteArray();
    assertThatThrownBy(() -> TxGossip.decodeBatch(entryTooLong)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("more than the limit");

    byte[] half = new byte[TxGossip.MAX_BATCH_BYTES / 2 + 1];
    assertThatThrownBy(() -> TxGossip.decodeBatch(batch(half, half))).isInstanceOf(DecodingException.class)
        .hasMessageContaining("exceeds " + TxGossip.MAX_BATCH_BYTES + " bytes");
    byte[] alone = new byte[TxGossip.MAX_BATCH_BYTES + 1];
    assertThat(TxGossip.decodeBatch(batch(alone))).singleElement().isEqualTo(alone);
  }
}
