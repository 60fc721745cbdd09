package dev.tandem.node.mempool;

import dev.tandem.core.Hash;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Recent rejections by transaction id, so that a receipt can say "rejected" and why. Bounded in
 * time (entries expire after the retention) and in count (the oldest go first); kept in memory
 * only, since a rejection acknowledges nothing.
 */
public final class RejectionLog {
  public static final int MAX_ENTRIES = 50_000;

  /** One remembered rejection. */
  public record Rejection(Hash txId, RejectReason reason, String message, long atMillis) {}

  private final long retentionMillis;
  private final int maxEntries;
  private final LongSupplier clock;
  private final LinkedHashMap<Hash, Rejection> entries = new LinkedHashMap<>();

  public RejectionLog(Duration retention, int maxEntries, LongSupplier clockMillis) {
    this.retentionMillis = retention.toMillis();
    this.maxEntries = maxEntries;
    this.clock = clockMillis;
  }

  public synchronized void record(Hash txId, RejectReason reason, String message) {
    if (retentionMillis == 0) {
      return;
    }
    entries.remove(txId);
    entries.put(txId, new Rejection(txId, reason, message, clock.getAsLong()));
    expire();
  }

  public synchronized Optional<Rejection> get(Hash txId) {
    expire();
    return Optional.ofNullable(entries.get(txId));
  }

  /** Forgets a rejection once the same transaction has been admitted after all. */
  public synchronized void forget(Hash txId) {
    entries.remove(txId);
  }

  public synchronized int size() {
    expire();
    return entries.size();
  }

  private void expire() {
    long cutoff = clock.getAsLong() - retentionMillis;
    Iterator<Map.Entry<Hash, Rejection>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Rejection oldest = it.next().getValue();
      if (entries.size() > maxEntries || oldest.atMillis() <= cutoff) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
