package dev.tandem.bft;

import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.KeyPair;
import java.util.Objects;

/**
 * Static parameters of one node. {@code baseTimeoutMillis} is the view timeout after progress;
 * it doubles per consecutive failed view up to {@code 2^6} times. {@code idleBlockIntervalMillis}
 * paces an idle chain: when the leader has no transactions and no uncommitted block carries any,
 * it waits until that long after its parent's timestamp before proposing an empty block (0 = no
 * pacing), so an idle network does not write a block every network round trip.
 */
public record ConsensusConfig(ValidatorSet validators, KeyPair key, long chainId, long baseTimeoutMillis,
    int maxBlockTxs, long idleBlockIntervalMillis) {
  public ConsensusConfig {
    Objects.requireNonNull(validators, "validators");
    Objects.requireNonNull(key, "key");
    if (baseTimeoutMillis <= 0 || maxBlockTxs < 0) {
      throw new IllegalArgumentException("base timeout must be positive and maxBlockTxs not negative");
    }
    // A node enters view v+1 when it forms the QC for v, soon after the proposal of v; an idle
    // leader of v+1 proposes one interval after that proposal: keep the interval well inside a timeout.
    if (idleBlockIntervalMillis < 0 || 3 * idleBlockIntervalMillis > baseTimeoutMillis) {
      throw new IllegalArgumentException("the idle block interval must be between 0 and a third of the base"
          + " timeout, or validators would time out the views of an idle chain");
    }
  }

  /** No idle pacing: a leader proposes as soon as it may, empty or not (the simulator's setting). */
  public ConsensusConfig(ValidatorSet validators, KeyPair key, long chainId, long baseTimeoutMillis, int maxBlockTxs) {
    this(validators, key, chainId, baseTimeoutMillis, maxBlockTxs, 0);
  }
}
