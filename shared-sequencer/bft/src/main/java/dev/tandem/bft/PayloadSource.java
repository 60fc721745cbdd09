package dev.tandem.bft;

import dev.tandem.core.BlockHeader;
import dev.tandem.core.Transaction;
import java.util.List;

/** Where a leader takes transactions from (the mempool). Must not block. */
@FunctionalInterface
public interface PayloadSource {
  /** Up to {@code maxTxs} transactions for a block extending {@code parent}, in proposal order. */
  List<Transaction> next(BlockHeader parent, int maxTxs);
}
