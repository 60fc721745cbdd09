package dev.tandem.adapters.generic;

import dev.tandem.core.Block;

/** Where an adapter reads the global log: the node in-process, or a node over JSON-RPC. */
public interface FinalizedBlockSource {
  /** The highest finalized height, or 0 when no block is final yet (heights start at 1). */
  long finalizedHeight();

  /** A finalized block; the caller only asks for heights at or below {@link #finalizedHeight()}. */
  Block block(long height);

  /** The block's quorum certificate encoding; empty when the source has none (a single node). */
  byte[] certificate(long height);
}
