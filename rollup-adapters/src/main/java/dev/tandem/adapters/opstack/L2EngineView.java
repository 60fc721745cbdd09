package dev.tandem.adapters.opstack;

/**
 * The rollup execution engine's answers that an OP Stack batch needs and the shared sequencer
 * cannot know by itself. In production it is backed by the rollup node (op-geth / op-node RPC:
 * the block by number gives parent hash and timestamp, the L1 origin comes from the L1 info
 * deposit); in tests by fixed values.
 */
public interface L2EngineView {
  /**
   * The attributes of L2 block {@code blockNumber}: parent hash, L1 origin and timestamp.
   *
   * @throws IllegalStateException if the engine has no such block (yet)
   */
  L2BlockAttributes blockAttributes(long blockNumber);
}
