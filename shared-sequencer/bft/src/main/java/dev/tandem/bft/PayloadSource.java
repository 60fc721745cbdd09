package dev.tandem.bft;

import dev.tandem.core.BlockHeader;
import dev.tandem.core.Transaction;
import java.util.List;

/** Where a leader takes transactions from (the mempool). Must not block. */
@FunctionalInterface
public interface PayloadSource {
  /**
   * Up to {@code maxTxs} transactions for the block that extends {@code parent} with the header
   * timestamp {@code timestampMillis}, in proposal order. The timestamp is fixed before the payload
   * is chosen, so that rules that depend on it (bundle windows) see the block's real value.
   */
  List<Transaction> next(BlockHeader parent, long timestampMillis, int maxTxs);
}
