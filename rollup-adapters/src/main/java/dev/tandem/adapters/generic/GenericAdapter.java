package dev.tandem.adapters.generic;

import dev.tandem.core.Block;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one namespace of the global log into generic batches on a DA layer. A batch goes out as
 * soon as its range holds a transaction of the namespace, or once it spans {@code maxBlocks}
 * blocks (so completeness stays provable over every height). Each call to {@link #step()} does at
 * most one batch: it re-posts the pending batch left by a crash, if any,
 * or else cuts the next range of finalized blocks, records it as pending, posts it and records it
 * as posted. Not thread-safe: one thread drives an adapter.
 */
public final class GenericAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(GenericAdapter.class);

  /** Limits on one batch; a batch always holds at least one block. */
  public record Limits(int maxBlocks, int maxBytes) {
    public Limits {
      if (maxBlocks < 1 || maxBytes < 1024) {
        throw new IllegalArgumentException("a batch needs room for at least one block and 1 KiB");
      }
    }

    public static Limits defaults() {
      return new Limits(64, 512 * 1024);
    }
  }

  private final Namespace namespace;
  private final FinalizedBlockSource source;
  private final BatchPoster poster;
  private final CheckpointStore checkpoint;
  private final Limits limits;

  public GenericAdapter(Namespace namespace, FinalizedBlockSource source, BatchPoster poster,
      CheckpointStore checkpoint, Limits limits) {
    this.namespace = namespace;
    this.source = source;
    this.poster = poster;
    this.checkpoint = checkpoint;
    this.limits = limits;
  }

  public Namespace namespace() {
    return namespace;
  }

  /** Posts at most one batch. Returns true if it posted one (call again), false if idle. */
  public boolean step() throws Exception {
    CheckpointStore.Progress progress = checkpoint.progress(namespace);
    Optional<CheckpointStore.Range> pending = progress.pending();
    CheckpointStore.Range range;
    GenericBatch batch;
    if (pending.isPresent()) {
      range = pending.get();
      if (range.lastHeight() > source.finalizedHeight()) {
        // The log lost blocks the batch was cut from (a machine crash can undo a validator's last
        // block write); block sync brings the same blocks back.
        return false;
      }
      batch = build(range.firstHeight(), range.lastHeight());
      LOG.info("namespace {}: re-posting batch for heights {}..{} left pending by a restart", namespace,
          range.firstHeight(), range.lastHeight());
    } else {
      long finalized = source.finalizedHeight();
      if (progress.nextHeight() > finalized) {
        return false;
      }
      batch = cut(progress.nextHeight(), finalized);
      if (batch.transactionCount() == 0 && batch.entries().size() < limits.maxBlocks()) {
        // Nothing for this rollup yet: let empty blocks accumulate into one full batch rather than
        // posting a blob per block; a transaction makes the batch go out at once.
        return false;
      }
      range = new CheckpointStore.Range(batch.firstHeight(), batch.lastHeight());
      checkpoint.markPending(namespace, range);
    }
    Verification check = batch.verify();
    if (!check.valid()) {
      throw new IllegalStateException("namespace " + namespace + ": finalized blocks " + range.firstHeight() + ".."
          + range.lastHeight() + " do not verify (" + check.reason() + "); the block source is corrupt");
    }
    byte[] receipt = poster.post(batch.key(), namespace, batch.encode());
    checkpoint.markPosted(namespace, range, receipt);
    LOG.debug("namespace {}: posted batch {}..{} with {} transactions", namespace, range.firstHeight(),
        range.lastHeight(), batch.transactionCount());
    return true;
  }

  /** The longest range from {@code first} within the limits (at least one block). */
  private GenericBatch cut(long first, long finalized) {
    List<GenericBatch.Entry> entries = new ArrayList<>();
    long bytes = 0;
    for (long height = first; height <= finalized && entries.size() < limits.maxBlocks(); height++) {
      GenericBatch.Entry entry = entry(height);
      long size = estimateSize(entry);
      if (!entries.isEmpty() && bytes + size > limits.maxBytes()) {
        break;
      }
      entries.add(entry);
      bytes += size;
    }
    return new GenericBatch(namespace, first, entries);
  }

  private GenericBatch build(long first, long last) {
    List<GenericBatch.Entry> entries = new ArrayList<>();
    for (long height = first; height <= last; height++) {
      entries.add(entry(height));
    }
    return new GenericBatch(namespace, first, entries);
  }

  private GenericBatch.Entry entry(long height) {
    Block block = source.block(height);
    NamespaceSlice slice = block.slice(namespace);
    return GenericBatch.Entry.of(block.header(), slice, source.certificate(height));
  }

  private static long estimateSize(GenericBatch.Entry entry) {
    long size = 256 + entry.proof().siblings().size() * 48L + entry.certificate().length;
    for (var tx : entry.transactions()) {
      size += tx.encodedLength();
    }
    return size;
  }
}
