package dev.tandem.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.Block;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.junit.jupiter.api.io.TempDir;

class LmdbNodeStoreTest {
  private static final long MAP = 64L << 20;
  private final KeyPair alice = KeyPair.generate(new Random(1));
  private final KeyPair bob = KeyPair.generate(new Random(2));

  @TempDir
  Path dir;

  private Transaction tx(KeyPair key, long ns, long nonce) {
    return Transaction.sign(1, Namespace.of(ns), nonce, 1000, ("p" + nonce).getBytes(), key);
  }

  @Test
  void blocksIndexesNoncesAndMempoolSurviveReopen() {
    Transaction a0 = tx(alice, 5, 0);
    Transaction a1 = tx(alice, 3, 1);
    Transaction b0 = tx(bob, 5, 0);
    Transaction b1 = tx(bob, 5, 1);
    Block block;
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      assertThat(store.finalizedHeight()).isZero();
      store.queuePending(a0, 0).await();
      store.queuePending(b0, 1).await();
      store.queuePending(a1, 2).await();
      store.queuePending(b1, 3).await();
      assertThat(store.pending()).extracting(NodeStore.PendingTx::tx).containsExactly(a0, b0, a1, b1);
      block = Block.build(1, 1, Hash.ZERO, 10, alice.publicKey(), List.of(a0, b0, a1));
      store.commitBlock(block, new byte[] {7, 7, 7}, List.of(0L, 1L, 2L), true);
    }
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      assertThat(store.finalizedHeight()).isEqualTo(1);
      assertThat(store.block(1)).hasValueSatisfying(b -> {
        assertThat(b.hash()).isEqualTo(block.hash());
        assertThat(b.transactions()).containsExactlyElementsOf(block.transactions());
      });
      assertThat(store.block(2)).isEmpty();
      assertThat(store.certificate(1)).hasValue(new byte[] {7, 7, 7});
      assertThat(store.certificate(2)).isEmpty();
      assertThat(store.header(1)).hasValue(block.header());
      assertThat(store.header(2)).isEmpty();
      assertThat(store.heightOf(block.hash())).hasValue(1);
      // Sorted by namespace: a1 (ns 3) first, then a0 and b0 (ns 5) in proposal order.
      assertThat(store.locate(a1.id())).hasValue(new NodeStore.TxLocation(1, 0, 3));
      assertThat(store.locate(b0.id())).hasValue(new NodeStore.TxLocation(1, 2, 5));
      assertThat(store.locate(b1.id())).isEmpty();
      assertThat(store.finalizedNonce(alice.publicKey())).hasValue(1);
      assertThat(store.finalizedNonce(bob.publicKey())).hasValue(0);
      assertThat(store.pending()).extracting(NodeStore.PendingTx::tx).containsExactly(b1);
      assertThat(store.pending().get(0).admissionSeq()).isEqualTo(3);
    }
  }

  /** A commit that skips the meta page's sync is still atomic, readable at once and kept by a clean close. */
  @Test
  void aBlockCommittedWithoutTheMetaSyncIsReadAtOnceAndKeptAcrossAReopen() {
    Transaction a0 = tx(alice, 5, 0);
    Transaction a1 = tx(alice, 5, 1);
    Block first = Block.build(1, 1, Hash.ZERO, 10, alice.publicKey(), List.of(a0));
    Block second = Block.build(1, 2, first.hash(), 11, alice.publicKey(), List.of(a1));
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      store.queuePending(a1, 0).await();
      store.commitBlock(first, new byte[] {1}, List.of(), false);
      assertThat(store.finalizedHeight()).isEqualTo(1);
      store.commitBlock(second, new byte[] {2}, List.of(0L), false);
      assertThat(store.locate(a1.id())).hasValue(new NodeStore.TxLocation(2, 0, 5));
      assertThat(store.pending()).isEmpty();
    }
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      assertThat(store.finalizedHeight()).isEqualTo(2);
      assertThat(store.certificate(2)).hasValue(new byte[] {2});
      assertThat(store.finalizedNonce(alice.publicKey())).hasValue(1);
    }
  }

  @Test
  void refusesABlockThatDoesNotExtendTheLogAndWritesNothing() {
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      Transaction a0 = tx(alice, 5, 0);
      store.queuePending(a0, 0).await();
      Block wrongHeight = Block.build(1, 2, Hash.ZERO, 10, alice.publicKey(), List.of(a0));
      assertThatThrownBy(() -> store.commitBlock(wrongHeight, new byte[0], List.of(), true))
          .isInstanceOf(StoreException.class).hasMessageContaining("expected 1");
      assertThat(store.finalizedHeight()).isZero();
      assertThat(store.pending()).hasSize(1);
      assertThat(store.locate(a0.id())).isEmpty();
    }
  }

  @Test
  void evictedTransactionsLeaveTheMempoolWithTheBlock() {
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      Transaction a0 = tx(alice, 5, 0);
      Transaction rival = Transaction.sign(1, Namespace.of(5), 0, 1000, "other".getBytes(), alice);
      store.queuePending(rival, 0).await();
      store.commitBlock(Block.build(1, 1, Hash.ZERO, 10, alice.publicKey(), List.of(a0)), new byte[0], List.of(0L), true);
      assertThat(store.pending()).isEmpty();
    }
  }

  /** A store from before 2026-12-02 kept pending transactions by id; opening moves them to admission order. */
  @Test
  void pendingTransactionsKeptByIdInAnOlderStoreAreMovedToAdmissionOrder() {
    Transaction a0 = tx(alice, 5, 0);
    Transaction b0 = tx(bob, 5, 0);
    try (Env<byte[]> env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(MAP).setMaxDbs(16).open(dir.toFile())) {
      Dbi<byte[]> old = env.openDbi("mempool", DbiFlags.MDB_CREATE);
      old.put(b0.id().toBytes(), idKeyedValue(7, b0));
      old.put(a0.id().toBytes(), idKeyedValue(3, a0));
    }
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) {
      assertThat(store.pending()).containsExactly(new NodeStore.PendingTx(a0, 3), new NodeStore.PendingTx(b0, 7));
      store.removePending(List.of(3L));
    }
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, MAP)) { // moved once: the old table is gone
      assertThat(store.pending()).containsExactly(new NodeStore.PendingTx(b0, 7));
    }
  }

  private static byte[] idKeyedValue(long seq, Transaction tx) {
    CanonicalWriter value = new CanonicalWriter(8 + tx.encodedLength()).u64(seq);
    tx.writeTo(value);
    return value.toByteArray();
  }
}
