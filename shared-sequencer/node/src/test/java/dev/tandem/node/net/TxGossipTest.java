package dev.tandem.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
    public void registerHandler(String protocol, RequestHandler handler) {}

    @Override
    public CompletableFuture<byte[]> request(PeerId peer, String protocol, byte[] request, Duration timeout) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public void addPeerListener(PeerListener listener) {}
  }

  private final TxValidator validator = new TxValidator(CHAIN, 1024, 1);
  private final List<byte[]> admitted = new CopyOnWriteArrayList<>();
  private final TxGossip.Admission admission = new TxGossip.Admission() {
    @Override
    public Transaction check(byte[] encoded) {
      Transaction tx = validator.decode(encoded);
      validator.checkSignature(tx);
      return tx;
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

  @Test
  void acceptsNewTransactionsOnceAndRejectsGarbage() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission)) {
      gossip.start();
      assertThat(network.topics).containsExactly("/tandem/5/tx/1");
      byte[] good = tx(CHAIN, 0);
      assertThat(network.handler.onMessage(PEER, good)).isEqualTo(ValidationResult.ACCEPT);
      assertThat(network.handler.onMessage(PEER, good)).isEqualTo(ValidationResult.IGNORE);
      await().atMost(Duration.ofSeconds(10)).until(() -> admitted.size() == 1);
      assertThat(admitted.get(0)).isEqualTo(good);

      assertThat(network.handler.onMessage(PEER, new byte[] {1, 2, 3})).isEqualTo(ValidationResult.REJECT);
      assertThat(network.handler.onMessage(PEER, new byte[0])).isEqualTo(ValidationResult.REJECT);
      assertThat(network.handler.onMessage(PEER, tx(CHAIN + 1, 0))).isEqualTo(ValidationResult.REJECT);
      byte[] forged = tx(CHAIN, 1);
      forged[forged.length - 1] ^= 1; // last byte of the signature
      assertThat(network.handler.onMessage(PEER, forged)).isEqualTo(ValidationResult.REJECT);
      byte[] huge = Transaction.sign(CHAIN, Namespace.of(9), 0, 10_000_000, new byte[2048], KeyPair.generate())
          .encode();
      assertThat(network.handler.onMessage(PEER, huge)).isEqualTo(ValidationResult.IGNORE);
      assertThat(admitted).hasSize(1);
    }
  }

  @Test
  void publishedTransactionsAreNotAdmittedAgainWhenTheyComeBack() {
    MemoryNetwork network = new MemoryNetwork();
    try (TxGossip gossip = new TxGossip(network, CHAIN, admission)) {
      gossip.start();
      byte[] raw = tx(CHAIN, 0);
      gossip.publish(Transaction.decode(raw), raw);
      assertThat(network.sent).hasSize(1);
      assertThat(network.handler.onMessage(PEER, raw)).isEqualTo(ValidationResult.IGNORE);
      assertThat(admitted).isEmpty();
    }
  }
}
