package dev.tandem.node;

import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import java.util.Optional;
import java.util.function.Consumer;

/** The global log as in-process consumers (rollup adapters, sync) see it. Thread-safe. */
public interface FinalizedBlocks {
  /** The highest finalized height; 0 before the first block (heights start at 1). */
  long height();

  /** A finalized block, or empty above {@link #height()}. */
  Optional<Block> get(long height);

  /**
   * The encoded quorum certificate of a finalized block (what adapters put in batches), or an empty
   * array on a node without consensus.
   */
  byte[] certificate(long height);

  /**
   * Calls {@code listener} with every block finalized after this call, in height order, on one
   * dedicated thread, after the block is durable. A block finalized while subscribing may also be
   * visible through {@link #get}; consumers that read history first dedupe by height. A listener
   * that throws is logged and keeps its subscription. Closing the handle unsubscribes.
   */
  Subscription subscribe(Consumer<Block> listener);

  /** This log as rollup adapters read it (blocks and their certificates). */
  default FinalizedBlockSource asBlockSource() {
    FinalizedBlocks log = this;
    return new FinalizedBlockSource() {
      @Override
      public long finalizedHeight() {
        return log.height();
      }

      @Override
      public Block block(long height) {
        return log.get(height).orElseThrow(() -> new IllegalStateException("finalized block " + height + " missing"));
      }

      @Override
      public byte[] certificate(long height) {
        return log.certificate(height);
      }
    };
  }

  /** An active listener; {@link #close()} stops deliveries. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
