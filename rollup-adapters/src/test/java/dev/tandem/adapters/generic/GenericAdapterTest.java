package dev.tandem.adapters.generic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.adapters.InMemoryLog;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenericAdapterTest {
  private static final Namespace ROLLUP = Namespace.of(900);
  private final KeyPair key = KeyPair.generate(new Random(4));

  /** A growing chain in memory: the pure stand-in for the node's finalized log. */
  private final class Chain extends InMemoryLog {
    long nonce;

    Chain() {
      super(key.publicKey());
    }

    void grow(int count) {
      for (int i = 0; i < count; i++) {
        appendBlock(List.of(
            Transaction.sign(1, ROLLUP, ++nonce, 0, new byte[] {(byte) nonce}, key),
            Transaction.sign(1, Namespace.of(5), nonce, 0, new byte[] {2}, key)));
      }
    }
  }


  /** Dedups by batch key, as every real DA client must; can crash right after a post lands. */
  private static final class RecordingPoster implements BatchPoster {
    final Map<Hash, GenericBatch> posted = new LinkedHashMap<>();
    int postCalls;
    boolean crashAfterNextPost;

    @Override
    public byte[] post(Hash batchKey, Namespace namespace, byte[] batch) {
      postCalls++;
      posted.putIfAbsent(batchKey, GenericBatch.decode(batch));
      if (crashAfterNextPost) {
        crashAfterNextPost = false;
        throw new IllegalStateException("simulated crash after the post landed");
      }
      return batchKey.toBytes();
    }
  }

  /** Posts heights 1..3, then crashes right after the post of 4..6 landed, before it was recorded. */
  private static void postOneBatchThenCrashAfterTheNextLands(Path dir, FinalizedBlockSource chain,
      RecordingPoster poster, GenericAdapter.Limits limits) throws Exception {
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      GenericAdapter adapter = new GenericAdapter(ROLLUP, chain, poster, store, limits);
      assertThat(adapter.step()).isTrue(); // heights 1..3
      poster.crashAfterNextPost = true;
      assertThatThrownBy(adapter::step).hasMessageContaining("simulated crash"); // 4..6 landed, not recorded
    }
  }

  @Test
  void batchesEveryBlockOnceAcrossCrashesAndRestarts(@TempDir Path dir) throws Exception {
    Chain chain = new Chain();
    RecordingPoster poster = new RecordingPoster();
    GenericAdapter.Limits limits = new GenericAdapter.Limits(3, 64 * 1024);

    chain.grow(7);
    postOneBatchThenCrashAfterTheNextLands(dir, chain, poster, limits);
    chain.grow(5); // more blocks finalize while the adapter is down
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      assertThat(store.progress(ROLLUP).pending()).contains(new CheckpointStore.Range(4, 6));
      GenericAdapter adapter = new GenericAdapter(ROLLUP, chain, poster, store, limits);
      while (adapter.step()) {
        // drain
      }
      assertThat(store.progress(ROLLUP).nextHeight()).isEqualTo(13);
      assertThat(store.receipt(ROLLUP, 4)).isPresent();
      assertThat(store.namespaces()).containsExactly(ROLLUP);
    }

    // Every height 1..12 in exactly one batch, in order, each batch verifying on its own.
    long expected = 1;
    for (GenericBatch batch : poster.posted.values()) {
      assertThat(batch.firstHeight()).isEqualTo(expected);
      assertThat(batch.verify().valid()).isTrue();
      assertThat(batch.transactionCount()).isEqualTo(batch.entries().size());
      expected = batch.lastHeight() + 1;
    }
    assertThat(expected).isEqualTo(13);
    // The crashed batch was re-posted under the same key, not as an overlapping range.
    assertThat(poster.postCalls).isEqualTo(poster.posted.size() + 1);
  }

  /**
   * A machine crash can undo a validator's last block write while the adapter's checkpoint already
   * holds a batch cut from that block: the adapter waits for block sync to bring it back, then
   * re-posts the same batch.
   */
  @Test
  void aBatchLeftInFlightWaitsForBlocksTheLogLostAndIsRepostedOnceTheyAreBack(@TempDir Path dir) throws Exception {
    Chain chain = new Chain();
    RecordingPoster poster = new RecordingPoster();
    GenericAdapter.Limits limits = new GenericAdapter.Limits(3, 64 * 1024);
    chain.grow(6);
    postOneBatchThenCrashAfterTheNextLands(dir, chain, poster, limits);
    long[] finalized = {5}; // after the restart the log ends at 5 until block sync returns block 6
    FinalizedBlockSource rolledBack = new FinalizedBlockSource() {
      @Override
      public long finalizedHeight() {
        return finalized[0];
      }

      @Override
      public dev.tandem.core.Block block(long height) {
        if (height > finalized[0]) {
          throw new IllegalArgumentException("height " + height + " is not finalized here");
        }
        return chain.block(height);
      }

      @Override
      public byte[] certificate(long height) {
        return chain.certificate(height);
      }
    };
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      GenericAdapter adapter = new GenericAdapter(ROLLUP, rolledBack, poster, store, limits);
      int calls = poster.postCalls;
      assertThat(adapter.step()).isFalse();
      assertThat(poster.postCalls).isEqualTo(calls);
      assertThat(store.progress(ROLLUP).pending()).contains(new CheckpointStore.Range(4, 6));
      finalized[0] = 6;
      assertThat(adapter.step()).isTrue();
      assertThat(poster.postCalls).isEqualTo(calls + 1);
      assertThat(poster.posted).hasSize(2); // the same batch again, under its key
      assertThat(store.progress(ROLLUP).nextHeight()).isEqualTo(7);
    }
  }

  @Test
  void idleWhenCaughtUp(@TempDir Path dir) throws Exception {
    Chain chain = new Chain();
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      GenericAdapter adapter = new GenericAdapter(ROLLUP, chain, new RecordingPoster(), store,
          GenericAdapter.Limits.defaults());
      assertThat(adapter.step()).isFalse();
      chain.grow(1);
      assertThat(adapter.step()).isTrue();
      assertThat(adapter.step()).isFalse();
    }
  }

  @Test
  void emptyBlocksWaitForAFullBatchButATransactionGoesOutAtOnce(@TempDir Path dir) throws Exception {
    Chain chain = new Chain();
    RecordingPoster poster = new RecordingPoster();
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      GenericAdapter adapter = new GenericAdapter(Namespace.of(4040), chain, poster, store,
          new GenericAdapter.Limits(4, 64 * 1024));
      chain.grow(3); // blocks without namespace 4040
      assertThat(adapter.step()).isFalse();
      assertThat(poster.posted).isEmpty();
      chain.grow(1);
      assertThat(adapter.step()).isTrue(); // four empty blocks: one full batch proving absence
      GenericBatch batch = poster.posted.values().iterator().next();
      assertThat(batch.entries()).hasSize(4);
      assertThat(batch.transactionCount()).isZero();
      assertThat(batch.verify().valid()).isTrue();
    }
  }
}
