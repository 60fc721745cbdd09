package dev.tandem.adapters.evm;

import dev.tandem.adapters.generic.CheckpointStore;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the finalized global log for one EVM rollup's namespace and delivers its payloads, raw
 * signed Ethereum transactions, to the rollup's execution client in log order.
 *
 * <p>The caller drives it: each {@link #step()} handles the next block that holds transactions of
 * the namespace (together with the empty blocks before it), then advances the durable checkpoint
 * past it; drive it like {@code AdapterRunner} does a generic adapter, stepping until it returns
 * false on each new finalized block or tick, and retrying with backoff when it throws.
 *
 * <p>A crash between delivery and checkpoint makes the next step deliver that block again; the
 * transactions the node already has are recognised by hash and count as delivered. A payload that
 * is not a signed transaction for this rollup's chain id, or that the node refuses (bad nonce,
 * insufficient funds), can never execute: it is logged and skipped, and the rest still go out in
 * order. An unreachable node, a missing receipt or execution out of log order throws and leaves
 * the checkpoint where it was. Use a checkpoint store of its own: the generic adapter's progress
 * for the same namespace would collide. Not thread-safe: one thread drives an adapter.
 */
public final class EvmDeliveryAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(EvmDeliveryAdapter.class);
  /** At most this many empty blocks are passed over in one step, so a step stays short. */
  private static final int MAX_BLOCKS_PER_STEP = 1024;

  private final Namespace namespace;
  private final long chainId;
  private final FinalizedBlockSource source;
  private final EvmDirectDelivery delivery;
  private final CheckpointStore checkpoint;
  private ExecutedTx lastExecuted;

  /** What one step did, for logs and tests. */
  public record StepReport(long firstHeight, long lastHeight, DeliveryReport delivered, int skipped) {}

  /**
   * @param chainId the rollup's chain id: payloads signed for another chain are skipped
   * @param delivery the connection to the rollup's execution client; the caller closes it
   */
  public EvmDeliveryAdapter(Namespace namespace, long chainId, FinalizedBlockSource source, EvmDirectDelivery delivery,
      CheckpointStore checkpoint) {
    this.namespace = namespace;
    this.chainId = chainId;
    this.source = source;
    this.delivery = delivery;
    this.checkpoint = checkpoint;
  }

  public Namespace namespace() {
    return namespace;
  }

  /** The last height whose transactions are delivered (0 before the first). */
  public long deliveredHeight() {
    return checkpoint.progress(namespace).nextHeight() - 1;
  }

  /** Delivers the next block with transactions of the namespace. Returns true if it advanced (call again). */
  public boolean step() {
    return stepReport().isPresent();
  }

  /**
   * As {@link #step()}, reporting what was delivered; empty when there is no new finalized block.
   *
   * @throws EvmDeliveryException if the node is unreachable, a receipt is missing or the node
   *     executed the transactions out of log order; the checkpoint is then unchanged
   */
  public Optional<StepReport> stepReport() {
    long first = checkpoint.progress(namespace).nextHeight();
    long finalized = source.finalizedHeight();
    if (first > finalized) {
      return Optional.empty();
    }
    long height = first;
    List<Transaction> transactions = transactionsAt(height);
    while (transactions.isEmpty() && height < finalized && height - first + 1 < MAX_BLOCKS_PER_STEP) {
      height++;
      transactions = transactionsAt(height);
    }
    List<SubmittedTx> submitted = new ArrayList<>(transactions.size());
    int skipped = 0;
    for (int i = 0; i < transactions.size(); i++) {
      byte[] payload = transactions.get(i).payload();
      Optional<String> invalid = invalidReason(payload);
      if (invalid.isPresent()) {
        LOG.warn("namespace {}: skipping transaction #{} of block {}: {}", namespace, i, height, invalid.get());
        skipped++;
        continue;
      }
      try {
        submitted.addAll(delivery.submit(List.of(payload)));
      } catch (TransactionRejectedException e) {
        LOG.warn("namespace {}: skipping transaction #{} of block {}: the rollup node refused {}: {}", namespace, i,
            height, e.hash(), e.nodeMessage());
        skipped++;
      }
    }
    DeliveryReport report = delivery.awaitExecution(submitted);
    checkOrder(report, height);
    checkpoint.markPosted(namespace, new CheckpointStore.Range(first, height), receipt(report));
    for (ExecutedTx tx : report.transactions()) {
      if (lastExecuted == null || tx.executedAfter(lastExecuted)) {
        lastExecuted = tx;
      }
    }
    if (!report.transactions().isEmpty()) {
      LOG.debug("namespace {}: delivered {} transaction(s) of blocks {}..{}", namespace,
          report.transactions().size(), first, height);
    }
    return Optional.of(new StepReport(first, height, report, skipped));
  }

  private List<Transaction> transactionsAt(long height) {
    Block block = source.block(height);
    NamespaceSlice slice = block.slice(namespace);
    Verification check = slice.verify(block.header());
    if (!check.valid()) {
      throw new IllegalStateException("namespace " + namespace + ": finalized block " + height
          + " does not verify (" + check.reason() + "); the block source is corrupt");
    }
    return slice.transactions();
  }

  private Optional<String> invalidReason(byte[] payload) {
    SignedEthTx tx;
    try {
      tx = SignedEthTx.decode(payload);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (tx.chainId().isEmpty() || tx.chainId().get() != chainId) {
      return Optional.of("signed for chain id " + tx.chainId().map(String::valueOf).orElse("none (pre-EIP-155)")
          + ", not this rollup's " + chainId);
    }
    return Optional.empty();
  }

  /**
   * Each newly sent transaction must execute after everything delivered before it. A transaction
   * the node already had may sit earlier: the log can carry the same Ethereum transaction twice,
   * and a restart redelivers what was sent before; such a one is logged, not fatal.
   */
  private void checkOrder(DeliveryReport report, long height) {
    ExecutedTx latest = lastExecuted;
    for (ExecutedTx tx : report.transactions()) {
      if (latest == null || tx.executedAfter(latest)) {
        latest = tx;
      } else if (tx.alreadyKnown()) {
        LOG.info("namespace {}, block {}: transaction {} had already executed at block {} index {} (a duplicate or"
            + " a redelivery)", namespace, height, tx.hash(), tx.blockNumber(), tx.transactionIndex());
      } else {
        throw new EvmDeliveryException("namespace " + namespace + ", block " + height + ": the rollup executed "
            + tx.hash() + " at block " + tx.blockNumber() + " index " + tx.transactionIndex() + ", not after "
            + latest.hash() + " at block " + latest.blockNumber() + " index " + latest.transactionIndex()
            + ", out of log order; delivery stops here until an operator has looked at the rollup node");
      }
    }
  }

  /** The checkpoint's receipt for a step: the hash of the last transaction delivered, or none. */
  private static byte[] receipt(DeliveryReport report) {
    if (report.transactions().isEmpty()) {
      return new byte[0];
    }
    return org.web3j.utils.Numeric.hexStringToByteArray(
        report.transactions().get(report.transactions().size() - 1).hash());
  }
}
