package dev.tandem.node.ordering;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.Transaction;
import dev.tandem.node.net.NodeNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What the node offers an {@link Ordering}: the log's tip, the orderable mempool, and finalization. */
public interface OrderingContext {
  long chainId();

  /** The header of the last finalized block; empty before the first block (height 1). */
  Optional<BlockHeader> lastFinalized();

  /**
   * Orderable pending transactions, oldest first, per sender in nonce order, at most
   * {@code maxTxs} of them and {@code maxBytes} of encoded transactions together.
   */
  List<Transaction> orderable(int maxTxs, long maxBytes);

  /**
   * Finalizes the next block: durably appends it to the log with {@code certificate} (the encoded
   * quorum certificate that finalized it; empty when the ordering has none), removes its
   * transactions from the mempool in the same write, and announces it to subscribers. Returns once
   * it is durable. Blocks must come in height order; a block that does not extend the tip is
   * refused with an exception and nothing is written.
   */
  void finalize(Block block, byte[] certificate);

  /** The certificate kept with a finalized block by {@link #finalize}; empty if none. */
  default Optional<byte[]> finalizedCertificate(long height) {
    return Optional.empty();
  }

  /** A finalized block by height; empty above the tip. */
  default Optional<dev.tandem.core.Block> finalizedBlock(long height) {
    return Optional.empty();
  }

  /** The height of a finalized block by hash. */
  default java.util.OptionalLong finalizedHeightOf(dev.tandem.core.Hash blockHash) {
    return java.util.OptionalLong.empty();
  }

  /**
   * Whether exactly this transaction, signature included, is in this node's mempool, so its
   * signature was checked on admission. (The id leaves out the signature, so the id alone is not enough.)
   */
  default boolean isAdmitted(Transaction tx) {
    return false;
  }

  /**
   * Whether this node already verified exactly this transaction's signature: it is admitted, in a
   * pending bundle, or was verified on arrival and waits for admission. Validators skip verifying
   * such a transaction again.
   */
  default boolean hasVerifiedSignature(Transaction tx) {
    return isAdmitted(tx);
  }

  /**
   * Verifies the signatures of transactions that came in a proposal before their gossip, together
   * (element i says whether {@code transactions.get(i)}'s is good); the node remembers the good
   * ones, so that their admissions do not verify them again.
   */
  default boolean[] verifySignatures(List<Transaction> transactions) {
    return Transaction.haveValidSignatures(transactions);
  }

  /** Whether a transaction is already in the finalized log. */
  default boolean isFinalized(dev.tandem.core.Hash txId) {
    return false;
  }

  /**
   * The next block's transactions in proposal order, for a block at {@code height} with header
   * timestamp {@code timestampMillis}: pending atomic bundles whose window holds the block, merged
   * with orderable plain transactions so that no bundle is ever split, within the limits. Leaves out
   * the transactions and bundle keys that uncommitted ancestors of the block already carry.
   */
  default List<Transaction> propose(long height, long timestampMillis, int maxTxs, long maxBytes,
      Set<Hash> inFlightTxIds, Set<Hash> inFlightBundleKeys) {
    List<Transaction> out = new ArrayList<>();
    for (Transaction tx : orderable(maxTxs + inFlightTxIds.size(), maxBytes)) {
      if (out.size() < maxTxs && !inFlightTxIds.contains(tx.id())) {
        out.add(tx);
      }
    }
    return out;
  }

  /**
   * A transaction this node holds but has not finalized: in its mempool or in a pending bundle.
   * Validators rebuild compact proposals from these.
   */
  default Optional<Transaction> pendingTransaction(Hash txId) {
    return Optional.empty();
  }

  /** Whether a finalized block recorded the bundle with this key. */
  default boolean isBundleIncluded(Hash bundleKey) {
    return false;
  }

  /** Whether bundles wait for a block (an idle single-node orderer keeps looking while they do). */
  default boolean hasPendingBundles() {
    return false;
  }

  /** The node's network when p2p is configured (consensus messages, block sync); empty otherwise. */
  default Optional<NodeNetwork> network() {
    return Optional.empty();
  }
}
