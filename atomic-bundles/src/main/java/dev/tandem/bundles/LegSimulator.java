package dev.tandem.bundles;

import dev.tandem.core.Transaction;
import java.util.List;

/**
 * A rollup adapter's execution pre-check for one namespace (the EVM adapter uses {@code eth_call} on
 * the pending state). The pool calls it before it offers a bundle to a proposer; a bundle with a leg
 * that would revert is not proposed. Advisory only: it runs on the state known before the block, so
 * it makes reverts unlikely, not impossible (see docs/bundles.md).
 */
@FunctionalInterface
public interface LegSimulator {
  /**
   * Simulates one bundle's legs in this simulator's namespace, in bundle order (later legs see
   * earlier legs' effects). May block on I/O; an exception counts as "would not succeed".
   */
  SimulationResult simulate(List<Transaction> legsInNamespace);
}
