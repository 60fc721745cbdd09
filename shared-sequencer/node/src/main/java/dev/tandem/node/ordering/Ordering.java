package dev.tandem.node.ordering;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;

/**
 * The node's ordering seam: admitted transactions go in, finalized blocks come out. The node
 * owns admission and storage; an ordering decides which orderable transactions form the next
 * block and when that block is final. {@link SingleNodeOrdering} cuts blocks on a timer; a BFT
 * consensus driver or a p2p-fed one plugs in here through {@link Factory}.
 */
public interface Ordering extends AutoCloseable {
  /** Starts ordering. Called once, after the node has restored its log and mempool. */
  void start(OrderingContext context);

  /**
   * A transaction was durably admitted to this node's mempool (by RPC or in-process). Called on
   * the admitting thread; must return quickly. A gossiping ordering forwards it to peers.
   */
  void onAdmitted(Transaction tx);

  /**
   * Whether a finalized block this node loses in a machine crash can be fetched again from peers
   * (under consensus a quorum holds it), so that its log write need not be fully synced. A single
   * node's log is the only copy: it must be.
   */
  default boolean finalizedBlocksRecoverable() {
    return false;
  }

  /** An atomic bundle became pending (by RPC or gossip): an idle proposer should look again. */
  default void onBundlePending() {
  }

  /**
   * The parent hash of the chain's first block (height 1). The single-node orderer uses the zero
   * hash; consensus uses the hash of its genesis block.
   */
  default dev.tandem.core.Hash genesisParent() {
    return dev.tandem.core.Hash.ZERO;
  }

  /** Received consensus messages dropped because they found the consensus thread too far behind. */
  default long droppedMessages() {
    return 0;
  }

  /**
   * The quorum certificate of the finalized block at {@code height}, for finality proofs served to
   * verifiers. Empty when this ordering has none: the single-node orderer certifies nothing.
   */
  default java.util.Optional<dev.tandem.bft.quorum.QuorumCertificate> certificate(long height) {
    return java.util.Optional.empty();
  }

  /** The consensus state for operators; empty for an ordering without consensus. Any thread. */
  default java.util.Optional<ConsensusStatus> consensusStatus() {
    return java.util.Optional.empty();
  }

  /** Equivocation evidence this node saw (leaders that signed two blocks for one view); none without consensus. */
  default java.util.List<dev.tandem.bft.Equivocation> equivocations() {
    return java.util.List.of();
  }

  /** Stops ordering and waits until no block commit is in flight. */
  @Override
  void close();

  /** Builds the ordering for a node from its config and key. */
  @FunctionalInterface
  interface Factory {
    Ordering create(NodeConfig config, KeyPair nodeKey);
  }
}
