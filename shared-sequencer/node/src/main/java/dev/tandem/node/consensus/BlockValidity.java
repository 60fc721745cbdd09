package dev.tandem.node.consensus;

import dev.tandem.bundles.BundleRules;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import dev.tandem.node.ordering.OrderingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The validity rules a node votes by; deterministic for a given chain. Every transaction must be
 * well signed for this chain and not already in the log or in an uncommitted ancestor; no sender
 * nonce may appear twice (manifests in namespace 0 take no nonce); the block must fit a proposal
 * message; and bundles must be whole ({@link BundleRules#checkBlock}: every manifest with all its
 * legs, adjacent and in order, in its window, never included before).
 *
 * <p>Signatures are checked last, after every cheap rule, and all together in one batch
 * verification; those the node already verified (admitted, in a bundle, checked on arrival) are
 * not checked again.
 */
final class BlockValidity {
  private BlockValidity() {}

  /**
   * @param ancestorTxIds the transactions of the block's uncommitted ancestors
   * @param ancestorBundleKeys the bundles of the block's uncommitted ancestors
   */
  static Verification check(Block block, long chainId, long maxBlockBytes, Set<Hash> ancestorTxIds,
      Set<Hash> ancestorBundleKeys, OrderingContext context) {
    Verification bundles = BundleRules.checkBlock(block,
        key -> ancestorBundleKeys.contains(key) || context.isBundleIncluded(key));
    if (!bundles.valid()) {
      return bundles;
    }
    Set<Hash> inBlock = new HashSet<>();
    Set<String> senderNonces = new HashSet<>();
    List<Transaction> unverified = new ArrayList<>();
    long bytes = 0;
    for (Transaction tx : block.transactions()) {
      bytes += tx.encodedLength();
      if (tx.chainId() != chainId) {
        return Verification.failed("transaction " + tx.id() + " is for chain " + tx.chainId());
      }
      if (ancestorTxIds.contains(tx.id()) || !inBlock.add(tx.id()) || context.isFinalized(tx.id())) {
        return Verification.failed("transaction " + tx.id() + " is already in the chain");
      }
      // Blocks sort by namespace, so a sender's nonces may appear out of order; each may appear once.
      if (!tx.namespace().equals(Namespace.SYSTEM) && !senderNonces.add(tx.sender() + "/" + tx.nonce())) {
        return Verification.failed("sender " + tx.sender() + " uses nonce " + tx.nonce() + " twice in the block");
      }
      if (!context.hasVerifiedSignature(tx)) {
        unverified.add(tx);
      }
    }
    if (bytes > maxBlockBytes) {
      return Verification.failed("block holds " + bytes + " bytes of transactions, more than " + maxBlockBytes);
    }
    boolean[] signed = context.verifySignatures(unverified);
    for (int i = 0; i < signed.length; i++) {
      if (!signed[i]) {
        return Verification.failed("transaction " + unverified.get(i).id() + " has a bad signature");
      }
    }
    return Verification.OK;
  }
}
