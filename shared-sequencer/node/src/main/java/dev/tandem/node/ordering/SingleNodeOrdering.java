package dev.tandem.node.ordering;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node orders alone: every {@code interval}, if orderable transactions wait, it cuts a block
 * of at most {@code maxBlockTxs} transactions and {@code maxBlockBytes} encoded bytes, proposes
 * it under the node's key and finalizes it at once. Blocks are cut on one dedicated thread, so
 * commits are sequential and never run on an event loop.
 */
public final class SingleNodeOrdering implements Ordering {
  private static final Logger LOG = LoggerFactory.getLogger(SingleNodeOrdering.class);

  private final KeyPair proposer;
  private final Duration interval;
  private final int maxBlockTxs;
  private final long maxBlockBytes;
  private final LongSupplier clockMillis;
  private final ScheduledExecutorService timer;
  private volatile OrderingContext context;
  /** Set when something may have become orderable since the last look; saves idle mempool scans. */
  private volatile boolean work = true;

  public SingleNodeOrdering(KeyPair proposer, Duration interval, int maxBlockTxs, long maxBlockBytes,
      LongSupplier clockMillis) {
    this.proposer = proposer;
    this.interval = interval;
    this.maxBlockTxs = maxBlockTxs;
    this.maxBlockBytes = maxBlockBytes;
    this.clockMillis = clockMillis;
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tandem-orderer");
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public void start(OrderingContext orderingContext) {
    this.context = orderingContext;
    long millis = interval.toMillis();
    timer.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onAdmitted(Transaction tx) {
    work = true;
  }

  @Override
  public void onBundlePending() {
    work = true;
  }

  private void tick() {
    if (!work) {
      return;
    }
    work = false;
    try {
      cutBlock();
    } catch (RuntimeException e) {
      // A failed commit (e.g. disk full) must not kill the timer; the transactions stay pending.
      work = true;
      LOG.error("cutting a block failed; will retry", e);
    }
  }

  /** Cuts and finalizes one block if anything is orderable; returns it, or empty when idle. */
  Optional<Block> cutBlock() {
    Optional<BlockHeader> tip = context.lastFinalized();
    long height = tip.map(h -> h.height() + 1).orElse(1L);
    Hash parent = tip.map(BlockHeader::hash).orElse(Hash.ZERO);
    // Timestamps never go backwards, even if the wall clock does.
    long timestamp = Math.max(clockMillis.getAsLong(), tip.map(BlockHeader::timestampMillis).orElse(0L));
    List<Transaction> txs = context.propose(height, timestamp, maxBlockTxs,
        maxBlockBytes - BlockHeader.ENCODED_LENGTH - 4, Set.of(), Set.of());
    if (txs.isEmpty()) {
      // A bundle whose window has not opened yet needs another look later.
      work = context.hasPendingBundles();
      return Optional.empty();
    }
    Block block = Block.build(context.chainId(), height, parent, timestamp, proposer.publicKey(), txs);
    context.finalize(block, new byte[0]);
    // More may wait (the block was full, or a gap just closed); look again next tick.
    work = true;
    return Optional.of(block);
  }

  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("block commit still running after 30 s at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
