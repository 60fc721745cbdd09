package dev.tandem.bft;

import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.KeyPair;
import java.util.Objects;

/**
 * Static parameters of one node. {@code baseTimeoutMillis} is the view timeout after progress;
 * it doubles per consecutive failed view up to {@code 2^6} times.
 */
public record ConsensusConfig(ValidatorSet validators, KeyPair key, long chainId, long baseTimeoutMillis,
    int maxBlockTxs) {
  public ConsensusConfig {
    Objects.requireNonNull(validators, "validators");
    Objects.requireNonNull(key, "key");
    if (baseTimeoutMillis <= 0 || maxBlockTxs < 0) {
      throw new IllegalArgumentException("base timeout must be positive and maxBlockTxs not negative");
    }
  }
}
