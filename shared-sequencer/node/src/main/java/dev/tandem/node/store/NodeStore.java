package dev.tandem.node.store;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The node's durable state: the global log of finalized blocks with its indexes, per-sender
 * finalized nonces, and the mempool. Every write method returns only after its write is durable
 * (committed and synced), which is what lets the node acknowledge a transaction or announce a block.
 * Implementations are thread-safe.
 */
public interface NodeStore extends AutoCloseable {
  /** The highest finalized height; 0 before the first block (heights start at 1). */
  long finalizedHeight();

  Optional<Block> block(long height);

  /** A finalized block's header alone (cheap: no body decoding). */
  Optional<BlockHeader> header(long height);

  OptionalLong heightOf(Hash blockHash);

  Optional<TxLocation> locate(Hash txId);

  /** The sender's highest finalized nonce, or empty when none of its transactions is final. */
  OptionalLong finalizedNonce(PublicKey sender);

  /**
   * Queues a pending transaction for the store's next group commit and returns at once; the
   * returned write's {@link PendingWrite#await} returns once it is durable. Writes queued together
   * (the admissions of one JSON-RPC batch) or concurrently share one commit, so one sync covers many
   * transactions. Every queued write must be awaited.
   */
  PendingWrite queuePending(Transaction tx, long admissionSeq);

  /** A queued write. */
  @FunctionalInterface
  interface PendingWrite {
    /** Returns once the write is durable; throws {@link StoreException} if it failed. */
    void await();
  }

  /** Durably removes pending transactions, by admission sequence number (stale or left-behind entries). */
  void removePending(Collection<Long> admissionSeqs);

  /** Every pending transaction, in admission order (used to rebuild the mempool on start). */
  List<PendingTx> pending();

  /** The height of the finalized block that recorded the bundle with this key (by its manifest). */
  OptionalLong bundleHeight(Hash bundleKey);

  /** Durably keeps a pending bundle (its encoding), so that a restart restores the bundle pool. */
  void putPendingBundle(Hash bundleKey, byte[] encodedBundle);

  /** Durably forgets pending bundles that ended (included, expired, cancelled, replaced, rejected). */
  void removePendingBundles(Collection<Hash> bundleKeys);

  /** The encodings of every kept pending bundle. */
  List<byte[]> pendingBundles();

  /**
   * Appends the next block (its height must be {@code finalizedHeight() + 1}) and, in the same
   * write transaction, keeps {@code certificate} (the encoded quorum certificate that finalized it;
   * empty when the ordering has none), indexes its transactions, advances its senders' nonces and
   * removes the pending transactions numbered {@code leavingPending} (those of the block and those
   * it made stale that this node stored). The write is atomic either way;
   * unless {@code durable}, a machine crash (not a process crash) may undo it until the next durable
   * write, for callers that can fetch the block again (consensus: a quorum holds it).
   */
  void commitBlock(Block block, byte[] certificate, Collection<Long> leavingPending, boolean durable);

  /** The certificate kept with a finalized block; empty if none was kept (single-node ordering, or older stores). */
  Optional<byte[]> certificate(long height);

  @Override
  void close();

  /** Where a finalized transaction is in the log. */
  record TxLocation(long height, int index, long namespace) {}

  /** A mempool entry as stored: the transaction and its admission sequence number. */
  record PendingTx(Transaction tx, long admissionSeq) {}
}
