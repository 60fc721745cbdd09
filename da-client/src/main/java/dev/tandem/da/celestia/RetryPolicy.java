package dev.tandem.da.celestia;

import java.time.Duration;

/**
 * How long a transient failure (node unreachable, HTTP 502/503, timeout) is retried before the
 * call gives up: at most {@code maxAttempts} attempts, waiting {@code initialBackoff} and doubling
 * up to {@code maxBackoff} between them, and no new attempt once {@code totalBudget} has passed.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration totalBudget) {
  public RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("retry maxAttempts must be 1 to 100, got " + maxAttempts);
    }
    if (initialBackoff == null || initialBackoff.isNegative() || maxBackoff == null
        || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("retry backoff must satisfy 0 <= initialBackoff <= maxBackoff, got "
          + initialBackoff + " and " + maxBackoff);
    }
    if (totalBudget == null || totalBudget.isNegative() || totalBudget.isZero()) {
      throw new IllegalArgumentException("retry totalBudget must be positive, got " + totalBudget);
    }
  }

  /** Five attempts, 0.5 s doubling to 8 s, within two minutes. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofMinutes(2));
  }

  /** The wait before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
  Duration backoffAfter(int attempt) {
    Duration wait = initialBackoff;
    for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
