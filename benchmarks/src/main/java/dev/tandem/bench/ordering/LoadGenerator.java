package dev.tandem.bench.ordering;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Drives an {@link OrderingCluster} with random payloads for a bounded time and measures commits.
 *
 * <p>With a positive rate the load is open: payload {@code i} is due at {@code start + i / rate} and
 * its latency counts from that due time, so a stalled cluster cannot hide its backlog (no coordinated
 * omission); at most {@code window} payloads wait uncommitted, beyond that a due payload is skipped and
 * counted. With rate 0 (unbounded) the load is closed: {@code window} payloads are kept in flight and
 * latency counts from submission. After the submitting phase, outstanding payloads get {@code drain}
 * to commit; the rest count as lost.
 *
 * <p>The payloads are made and handed to {@link OrderingCluster#prepare} before the clock starts:
 * as many as the rate asks for, or {@value #PREPARED_PER_SECOND_UNBOUNDED} a second without a rate
 * (a closed load that outruns them makes the rest on the fly, and says so).
 */
public final class LoadGenerator {
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);
  static final int PREPARED_PER_SECOND_UNBOUNDED = 8_000;
  private static final int MAX_PREPARED = 400_000;

  /** Offered rate in payloads/s (0 = unbounded), and what was committed. */
  public record Result(String system, int rate, int payloadBytes, long submitted, long skipped, long committed,
      long failed, long positions, double seconds, Histogram latencyMicros, String firstError) {
    /** Committed payloads per second, first submission to last commit. */
    public double committedPerSecond() {
      return committed / seconds;
    }

    public double p50Millis() {
      return latencyMicros.getValueAtPercentile(50) / 1000.0;
    }

    public double p99Millis() {
      return latencyMicros.getValueAtPercentile(99) / 1000.0;
    }

    /** Payloads per distinct commit position: 1 for a log of entries, the mean block size for a chain. */
    public double perPosition() {
      return positions == 0 ? 0 : committed / (double) positions;
    }

    public long lost() {
      return submitted - committed - failed;
    }

    String offered() {
      return rate == 0 ? "max" : Integer.toString(rate);
    }
  }

  private LoadGenerator() {}

  private static byte[] randomPayload(Random random, int payloadBytes) {
    byte[] payload = new byte[payloadBytes];
    random.nextBytes(payload);
    return payload;
  }

  public static Result run(OrderingCluster cluster, int rate, Duration duration, int payloadBytes, int window,
      Duration drain) throws InterruptedException {
    return run(cluster, rate, duration, payloadBytes, window, drain, () -> {});
  }

  /** As above; {@code clockStarts} runs once the payloads are prepared, right before the first is due. */
  public static Result run(OrderingCluster cluster, int rate, Duration duration, int payloadBytes, int window,
      Duration drain, Runnable clockStarts) throws InterruptedException {
    Random random = new Random(rate * 31L + payloadBytes);
    Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
    Semaphore inFlight = new Semaphore(window);
    AtomicLong committed = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong lastCommit = new AtomicLong();
    Set<Long> positions = ConcurrentHashMap.newKeySet();
    AtomicInteger outstanding = new AtomicInteger();
    String[] firstError = new String[1];
    long planned = (rate > 0 ? rate : PREPARED_PER_SECOND_UNBOUNDED) * duration.toMillis() / 1000 + 1;
    List<byte[]> payloads = new ArrayList<>((int) Math.min(MAX_PREPARED, planned));
    while (payloads.size() < Math.min(MAX_PREPARED, planned)) {
      payloads.add(randomPayload(random, payloadBytes));
    }
    cluster.prepare(payloads);
    clockStarts.run();
    long submitted = 0;
    long skipped = 0;
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    double intervalNanos = rate > 0 ? 1e9 / rate : 0;
    for (long i = 0; ; i++) {
      long due;
      if (rate > 0) {
        due = start + (long) (i * intervalNanos);
        if (due >= end) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        if (!inFlight.tryAcquire()) {
          skipped++;
          continue;
        }
      } else {
        if (!inFlight.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        due = System.nanoTime();
        if (due >= end) {
          inFlight.release();
          break;
        }
      }
      byte[] payload = submitted < payloads.size() ? payloads.get((int) submitted) : randomPayload(random, payloadBytes);
      long from = due;
      outstanding.incrementAndGet();
      submitted++;
      CompletableFuture<OrderingCluster.Commit> commit;
      try {
        commit = cluster.submit(payload);
      } catch (RuntimeException e) {
        commit = CompletableFuture.failedFuture(e);
      }
      commit.whenComplete((c, error) -> {
        long now = System.nanoTime();
        if (error == null) {
          synchronized (latency) {
            latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (now - from) / 1000)));
          }
          committed.incrementAndGet();
          positions.add(c.position());
          lastCommit.accumulateAndGet(now, Math::max);
        } else {
          failed.incrementAndGet();
          synchronized (firstError) {
            if (firstError[0] == null) {
              firstError[0] = String.valueOf(error.getCause() != null ? error.getCause() : error);
            }
          }
        }
        outstanding.decrementAndGet();
        inFlight.release();
      });
    }
    if (submitted > payloads.size()) {
      System.out.printf("  %d of %d payloads were made during the load: more than were prepared%n",
          submitted - payloads.size(), submitted);
    }
    long drainEnd = System.nanoTime() + drain.toNanos();
    while (outstanding.get() > 0 && System.nanoTime() < drainEnd) {
      Thread.sleep(10);
    }
    double seconds = Math.max(1, lastCommit.get() - start) / 1e9;
    synchronized (latency) {
      synchronized (firstError) {
        return new Result(cluster.name(), rate, payloadBytes, submitted, skipped, committed.get(), failed.get(),
            positions.size(), seconds, latency.copy(), firstError[0]);
      }
    }
  }
}
