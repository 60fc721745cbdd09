package dev.tandem.bft;

import dev.tandem.core.Hash;
import java.util.Optional;

/**
 * Read access to the node's persisted committed log, so the core can serve block sync for blocks
 * it no longer holds in memory. Must be deterministic: committed data never changes.
 */
@FunctionalInterface
public interface CommittedChain {
  Optional<CertifiedBlock> get(Hash blockHash);

  CommittedChain EMPTY = hash -> Optional.empty();
}
