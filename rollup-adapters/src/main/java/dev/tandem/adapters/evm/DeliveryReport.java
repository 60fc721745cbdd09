package dev.tandem.adapters.evm;

import java.util.List;
import java.util.Optional;

/** The receipts of a delivery, in delivery order, and whether the node executed them in that order. */
public record DeliveryReport(List<ExecutedTx> transactions) {
  public DeliveryReport {
    transactions = List.copyOf(transactions);
  }

  /** The first place where execution order differs from delivery order, if any. */
  public Optional<String> orderViolation() {
    for (int i = 1; i < transactions.size(); i++) {
      ExecutedTx previous = transactions.get(i - 1);
      ExecutedTx current = transactions.get(i);
      if (!current.executedAfter(previous)) {
        return Optional.of("transaction #" + i + " " + current.hash() + " executed at block "
            + current.blockNumber() + " index " + current.transactionIndex() + ", not after transaction #"
            + (i - 1) + " " + previous.hash() + " at block " + previous.blockNumber() + " index "
            + previous.transactionIndex());
      }
    }
    return Optional.empty();
  }

  public boolean executedInOrder() {
    return orderViolation().isEmpty();
  }

  /**
   * Returns this report if the order held.
   *
   * @throws EvmDeliveryException naming the first transaction executed out of order
   */
  public DeliveryReport requireInOrder() {
    orderViolation().ifPresent(v -> {
      throw new EvmDeliveryException("rollup executed transactions out of delivery order: " + v);
    });
    return this;
  }
}
