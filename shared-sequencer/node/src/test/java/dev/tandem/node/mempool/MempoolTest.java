package dev.tandem.node.mempool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.store.LmdbNodeStore;
import dev.tandem.node.store.NodeStore;
import dev.tandem.node.store.StoreException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MempoolTest {
  private static final long CHAIN = 7;
  private static final int MAX_PAYLOAD = 1024;
  private static final long FEE_PER_BYTE = 2;
  private final KeyPair alice = KeyPair.generate(new Random(11));
  private final KeyPair bob = KeyPair.generate(new Random(12));

  @TempDir
  Path dir;
  private LmdbNodeStore store;
  private Mempool mempool;

  @BeforeEach
  void open() {
    store = LmdbNodeStore.open(dir, 64L << 20);
    mempool = newMempool(10, 4);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Mempool newMempool(int capacity, int perSender) {
    return new Mempool(store, new TxValidator(CHAIN, MAX_PAYLOAD, FEE_PER_BYTE), capacity, perSender);
  }

  private static Transaction tx(KeyPair key, long nonce) {
    return tx(key, 100, nonce, "payload".getBytes());
  }

  private static Transaction tx(KeyPair key, long ns, long nonce, byte[] payload) {
    long fee = FEE_PER_BYTE * (Transaction.OVERHEAD_BYTES + payload.length);
    return Transaction.sign(CHAIN, Namespace.of(ns), nonce, fee, payload, key);
  }

  private RejectReason rejection(byte[] encoded) {
    AdmissionException e = catchThrowableOfType(AdmissionException.class, () -> mempool.admit(encoded));
    assertThat(e).as("expected a rejection").isNotNull();
    assertThat(e.getMessage()).isNotBlank();
    return e.reason();
  }

  private Block commit(long height, Hash parent, Transaction... txs) {
    Block block = Block.build(CHAIN, height, parent, height, alice.publicKey(), List.of(txs));
    mempool.commit(block);
    return block;
  }

  @Test
  void keepsARelayedTransactionInMemoryOnlyAndOrdersItAtOnce() {
    Transaction relayed = tx(alice, 0);
    Transaction local = tx(bob, 0);
    mempool.admitRelayed(relayed.encode());
    mempool.admit(local.encode());
    assertThat(mempool.orderable(10, Long.MAX_VALUE)).containsExactly(relayed, local);
    assertThat(store.pending()).extracting(p -> p.tx()).containsExactly(local);
    // The same checks apply: its nonce is taken, and a second copy is a duplicate.
    assertThat(catchThrowableOfType(AdmissionException.class, () -> mempool.admitRelayed(relayed.encode())).reason())
        .isEqualTo(RejectReason.DUPLICATE);
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(1);

    // A restart forgets it (its origin node holds it), and finalizing it needs no stored copy.
    commit(1, Hash.ZERO, relayed, local);
    assertThat(store.pending()).isEmpty();
    assertThat(newMempool(10, 4).size()).isZero();
  }

  @Test
  void aKnownTransactionIsADuplicateBeforeAnySignatureCheck() {
    Transaction pending = tx(alice, 0);
    Transaction finalized = tx(bob, 0);
    Transaction inProposalOnly = tx(bob, 1);
    mempool.admit(pending.encode());
    mempool.admitRelayed(finalized.encode());
    assertThat(mempool.validator().verifyAheadAll(List.of(inProposalOnly))).containsExactly(true); // consensus checked it in a proposal
    commit(1, Hash.ZERO, finalized, inProposalOnly);
    assertThat(mempool.validator().verifiedAheadCount()).as("finalized: its record is dropped").isZero();
    long verifications = mempool.validator().verifications();
    for (Transaction known : List.of(pending, finalized, inProposalOnly)) {
      assertThat(rejection(known.encode())).isEqualTo(RejectReason.DUPLICATE);
    }
    for (Transaction known : List.of(finalized, inProposalOnly)) {
      assertThat(catchThrowableOfType(AdmissionException.class, () -> mempool.checkNotFinalized(known)).reason())
          .isEqualTo(RejectReason.DUPLICATE);
    }
    assertThat(mempool.validator().verifications()).isEqualTo(verifications);
    mempool.checkNotFinalized(pending); // pending, not finalized: no objection
  }

  @Test
  void admissionsStartedTogetherShareOneStoreCommitAndAreOrderableBeforeItLands() {
    List<Transaction> txs = List.of(tx(alice, 0), tx(alice, 1), tx(bob, 0), tx(bob, 1));
    long commitsBefore = store.groupCommits();
    List<Mempool.Admission> started = txs.stream().map(t -> mempool.startAdmission(t.encode())).toList();
    // Checked, indexed, holding their nonces and orderable while their write is still queued.
    assertThat(mempool.size()).isEqualTo(4);
    assertThat(mempool.orderable(10, Long.MAX_VALUE)).containsExactlyInAnyOrderElementsOf(txs);
    assertThat(store.pending()).isEmpty();
    assertThat(rejection(tx(alice, 0).encode())).isEqualTo(RejectReason.DUPLICATE);
    assertThat(started.stream().map(Mempool.Admission::finish).toList()).containsExactlyElementsOf(txs);
    assertThat(store.groupCommits() - commitsBefore).isEqualTo(1);
    assertThat(store.pending()).extracting(p -> p.tx()).containsExactlyElementsOf(txs);
  }

  @Test
  void aTransactionFinalizedBeforeItsWriteLandsLeavesNoStoredEntry() {
    Transaction tx = tx(alice, 0);
    Mempool.Admission admission = mempool.startAdmission(tx.encode());
    commit(1, Hash.ZERO, tx);
    // The write lands after the block's commit, which had nothing to delete yet.
    assertThat(admission.finish()).isEqualTo(tx);
    assertThat(store.pending()).isEmpty();
    assertThat(newMempool(10, 4).size()).isZero();
  }

  @Test
  void duringABlockWriteItsTransactionsAreFinalizedAndOtherAdmissionsDoNotWait() throws Exception {
    Transaction a0 = tx(alice, 0);
    Transaction a1 = tx(alice, 1);
    Transaction b0 = tx(bob, 0);
    mempool.admit(a0.encode());
    mempool.admit(a1.encode());
    Transaction rivalA0 = tx(alice, 100, 0, "rival".getBytes());
    AtomicReference<Runnable> duringWrite = new AtomicReference<>();
    Mempool hooked = new Mempool(storeCalling(duringWrite), new TxValidator(CHAIN, MAX_PAYLOAD, FEE_PER_BYTE), 10, 4);
    duringWrite.set(() -> {
      // Another thread admits while the block is being written: it must not wait for the write.
      // (Bounded only so that a regression fails instead of hanging; not a timing assertion.)
      assertThat(CompletableFuture.supplyAsync(() -> hooked.admit(b0.encode())))
          .succeedsWithin(Duration.ofSeconds(30)).isEqualTo(b0);
      assertThat(hooked.get(a0.id())).isEmpty();
      assertThat(catchThrowableOfType(AdmissionException.class, () -> hooked.admit(a0.encode())).reason())
          .isEqualTo(RejectReason.DUPLICATE);
      assertThat(catchThrowableOfType(AdmissionException.class, () -> hooked.admit(rivalA0.encode())).reason())
          .isEqualTo(RejectReason.NONCE_TOO_LOW);
      assertThat(hooked.orderable(10, Long.MAX_VALUE)).containsExactly(a1, b0);
    });
    hooked.commit(Block.build(CHAIN, 1, Hash.ZERO, 1, alice.publicKey(), List.of(a0)));
    assertThat(hooked.orderable(10, Long.MAX_VALUE)).containsExactly(a1, b0);
    assertThat(catchThrowableOfType(AdmissionException.class, () -> hooked.admit(a0.encode())).reason())
        .isEqualTo(RejectReason.DUPLICATE);
  }

  @Test
  void aFailedBlockWritePutsEverythingBack() {
    Transaction a0 = tx(alice, 0);
    Transaction a1 = tx(alice, 1);
    mempool.admit(a0.encode());
    mempool.admit(a1.encode());
    Transaction rivalA0 = tx(alice, 100, 0, "rival".getBytes());
    // Height 2 does not extend an empty log: the store refuses the write.
    Block gap = Block.build(CHAIN, 2, Hash.ZERO, 1, alice.publicKey(), List.of(rivalA0));
    assertThatThrownBy(() -> mempool.commit(gap)).isInstanceOf(StoreException.class);
    assertThat(mempool.orderable(10, Long.MAX_VALUE)).containsExactly(a0, a1);
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(2);
    assertThat(rejection(tx(alice, 100, 1, "other".getBytes()).encode())).isEqualTo(RejectReason.NONCE_IN_USE);
    assertThat(commit(1, Hash.ZERO, a0)).isNotNull();
    assertThat(mempool.orderable(10, Long.MAX_VALUE)).containsExactly(a1);
  }

  /** The test's store, running {@code duringWrite} inside every block commit before the write itself. */
  private NodeStore storeCalling(AtomicReference<Runnable> duringWrite) {
    return (NodeStore) Proxy.newProxyInstance(NodeStore.class.getClassLoader(), new Class<?>[] {NodeStore.class},
        (proxy, method, args) -> {
          if (method.getName().equals("commitBlock")) {
            duringWrite.get().run();
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void forgetsRelayedTransactionsOnRestart() {
    Transaction relayed = tx(alice, 0);
    mempool.admitRelayed(relayed.encode());
    assertThat(newMempool(10, 4).get(relayed.id())).isEmpty();
  }

  @Test
  void admitsAValidTransactionDurably() {
    Transaction tx = tx(alice, 0);
    assertThat(mempool.admit(tx.encode())).isEqualTo(tx);
    assertThat(mempool.get(tx.id())).hasValue(tx);
    assertThat(store.pending()).extracting(p -> p.tx()).containsExactly(tx);
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(1);
  }

  @Test
  void rejectsMalformedTruncatedAndGarbage() {
    byte[] good = tx(alice, 0).encode();
    assertThat(rejection(new byte[0])).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejection(Arrays.copyOf(good, good.length - 1))).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejection(Arrays.copyOf(good, good.length + 1))).isEqualTo(RejectReason.MALFORMED);
    byte[] badVersion = good.clone();
    badVersion[0] = 9;
    assertThat(rejection(badVersion)).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejection(new byte[] {1, 2, 3})).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void rejectsOversizedPayloads() {
    assertThat(rejection(tx(alice, 100, 0, new byte[MAX_PAYLOAD + 1]).encode())).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(rejection(new byte[MAX_PAYLOAD * 4])).isEqualTo(RejectReason.TOO_LARGE);
    assertThat(mempool.admit(tx(alice, 100, 0, new byte[MAX_PAYLOAD]).encode())).isNotNull();
  }

  @Test
  void rejectsBadSignaturesWrongChainReservedNamespaceAndBundleLegs() {
    byte[] forged = tx(alice, 0).encode();
    forged[forged.length - 1] ^= 1;
    assertThat(rejection(forged)).isEqualTo(RejectReason.BAD_SIGNATURE);
    Transaction otherChain = Transaction.sign(CHAIN + 1, Namespace.of(100), 0, 10_000, new byte[1], alice);
    assertThat(rejection(otherChain.encode())).isEqualTo(RejectReason.WRONG_CHAIN);
    assertThat(rejection(tx(alice, 0, 0, new byte[1]).encode())).isEqualTo(RejectReason.RESERVED_NAMESPACE);
    Transaction leg = Transaction.signBundleLeg(CHAIN, Hash.ZERO, Namespace.of(100), 0, 10_000, new byte[1], alice);
    assertThat(rejection(leg.encode())).isEqualTo(RejectReason.BUNDLE_LEG);
    assertThat(mempool.size()).isZero();
  }

  @Test
  void rejectsFeesBelowTheMinimumPerByte() {
    byte[] payload = new byte[10];
    long minimum = FEE_PER_BYTE * (Transaction.OVERHEAD_BYTES + payload.length);
    Transaction cheap = Transaction.sign(CHAIN, Namespace.of(100), 0, minimum - 1, payload, alice);
    assertThat(rejection(cheap.encode())).isEqualTo(RejectReason.FEE_TOO_LOW);
    Transaction exact = Transaction.sign(CHAIN, Namespace.of(100), 0, minimum, payload, alice);
    assertThat(mempool.admit(exact.encode())).isEqualTo(exact);
  }

  @Test
  void rejectsDuplicatesNonceReuseAndReplays() {
    Transaction first = tx(alice, 0);
    mempool.admit(first.encode());
    assertThat(rejection(first.encode())).isEqualTo(RejectReason.DUPLICATE);
    Transaction sameNonce = tx(alice, 100, 0, "other".getBytes());
    assertThat(rejection(sameNonce.encode())).isEqualTo(RejectReason.NONCE_IN_USE);

    commit(1, Hash.ZERO, first);
    assertThat(rejection(first.encode())).isEqualTo(RejectReason.DUPLICATE);
    assertThat(rejection(sameNonce.encode())).isEqualTo(RejectReason.NONCE_TOO_LOW);
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(1);
  }

  @Test
  void enforcesCapacityPerSenderLimitAndGapBound() {
    for (int nonce = 0; nonce < 4; nonce++) {
      mempool.admit(tx(alice, nonce).encode());
    }
    assertThat(rejection(tx(alice, 4).encode())).isEqualTo(RejectReason.SENDER_LIMIT);
    // Last finalized nonce is -1 and the limit 4: nonce 4 is further ahead than a sender may hold.
    assertThat(rejection(tx(bob, 4).encode())).isEqualTo(RejectReason.NONCE_TOO_HIGH);
    for (int nonce = 0; nonce < 4; nonce++) {
      mempool.admit(tx(bob, nonce).encode());
    }
    KeyPair carol = KeyPair.generate(new Random(13));
    mempool.admit(tx(carol, 0).encode());
    mempool.admit(tx(carol, 1).encode());
    assertThat(mempool.size()).isEqualTo(10);
    assertThat(rejection(tx(carol, 2).encode())).isEqualTo(RejectReason.MEMPOOL_FULL);
  }

  @Test
  void gapTransactionsWaitUntilTheGapFills() {
    Transaction a0 = tx(alice, 0);
    Transaction a1 = tx(alice, 1);
    Transaction a2 = tx(alice, 2);
    mempool.admit(a2.encode());
    mempool.admit(a1.encode());
    assertThat(mempool.orderable(100, 1 << 20)).isEmpty();
    assertThat(mempool.isOrderable(a1)).isFalse();
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(0);
    Transaction b0 = tx(bob, 0);
    mempool.admit(b0.encode());
    mempool.admit(a0.encode());
    assertThat(mempool.isOrderable(a2)).isTrue();
    // Oldest admission first, each sender in nonce order.
    assertThat(mempool.orderable(100, 1 << 20)).containsExactly(b0, a0, a1, a2);
    assertThat(mempool.orderable(2, 1 << 20)).containsExactly(b0, a0);
    assertThat(mempool.nextNonce(alice.publicKey())).isEqualTo(3);
  }

  @Test
  void orderableRespectsTheByteLimit() {
    Transaction big = tx(alice, 100, 0, new byte[600]);
    Transaction small = tx(bob, 0);
    mempool.admit(big.encode());
    mempool.admit(small.encode());
    assertThat(mempool.orderable(100, small.encodedLength() + 10)).containsExactly(small);
  }

  @Test
  void commitRemovesBlockTransactionsAndSupersededRivals() {
    Transaction a0 = tx(alice, 0);
    Transaction a1 = tx(alice, 1);
    mempool.admit(a0.encode());
    mempool.admit(a1.encode());
    // Another node finalized a different transaction with Alice's nonce 0 (possible under consensus).
    Transaction rival = tx(alice, 100, 0, "rival".getBytes());
    Block block = Block.build(CHAIN, 1, Hash.ZERO, 1, alice.publicKey(), List.of(rival));
    assertThat(mempool.commit(block)).containsExactly(a0);
    assertThat(mempool.get(a0.id())).isEmpty();
    assertThat(mempool.isOrderable(a1)).isTrue();
    assertThat(store.pending()).extracting(p -> p.tx()).containsExactly(a1);
  }

  @Test
  void restoresFromTheStore() {
    Transaction a1 = tx(alice, 1);
    Transaction a0 = tx(alice, 0);
    mempool.admit(a1.encode());
    mempool.admit(a0.encode());
    commit(1, Hash.ZERO, a0);
    Mempool restored = newMempool(10, 4);
    assertThat(restored.size()).isEqualTo(1);
    assertThat(restored.orderable(10, 1 << 20)).containsExactly(a1);
    assertThat(rejection(a0.encode())).isEqualTo(RejectReason.DUPLICATE);
    assertThatThrownBy(() -> restored.admit(tx(alice, 100, 0, "x".getBytes()).encode()))
        .isInstanceOf(AdmissionException.class).hasMessageContaining("finalized nonce 0");
  }

  @Test
  void concurrentAdmissionsAreAllDurable() throws Exception {
    mempool = newMempool(1000, 100);
    List<KeyPair> senders = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      senders.add(KeyPair.generate(new Random(100 + i)));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (KeyPair key : senders) {
        futures.add(pool.submit(() -> {
          for (int nonce = 0; nonce < 40; nonce++) {
            mempool.admit(tx(key, nonce).encode());
          }
        }));
      }
      for (java.util.concurrent.Future<?> future : futures) {
        future.get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(mempool.size()).isEqualTo(240);
    assertThat(store.pending()).hasSize(240);
    assertThat(mempool.orderable(1000, 1 << 24)).hasSize(240);
    Mempool restored = newMempool(1000, 100);
    assertThat(restored.size()).isEqualTo(240);
    assertThat(restored.nextNonce(senders.get(3).publicKey())).isEqualTo(40);
  }
}
