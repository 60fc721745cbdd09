package dev.tandem.adapters.evm;

/**
 * Where a delivered transaction was executed.
 *
 * @param hash the transaction hash
 * @param alreadyKnown true if the node had it before this delivery (a redelivery)
 * @param blockNumber the rollup block that includes it
 * @param transactionIndex its index in that block
 * @param succeeded the receipt status: false if it executed but reverted
 */
public record ExecutedTx(String hash, boolean alreadyKnown, long blockNumber, long transactionIndex,
    boolean succeeded) {

  /** True if this transaction was executed strictly after {@code other}. */
  public boolean executedAfter(ExecutedTx other) {
    return blockNumber > other.blockNumber
        || (blockNumber == other.blockNumber && transactionIndex > other.transactionIndex);
  }
}
