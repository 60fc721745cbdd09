package dev.tandem.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time per thread group over a measured interval, from the JVM's per-thread counters (user and
 * system time). Threads are grouped by name with numbers and peer-id suffixes removed, so the four
 * validators' "tandem-consensus" threads count together. Threads that ended during the interval
 * and JVM-internal threads (JIT, GC) are not seen; the total says how much of the machine was.
 */
public final class ThreadCpu {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startCpu = new HashMap<>();
  private final long startNanos;

  private ThreadCpu() {
    for (long id : threads.getAllThreadIds()) {
      startCpu.put(id, threads.getThreadCpuTime(id));
    }
    startNanos = System.nanoTime();
  }

  /** Starts an interval now. */
  public static ThreadCpu start() {
    return new ThreadCpu();
  }

  /** The interval's CPU per thread group, as a share of one core, largest first, at most {@code limit} rows. */
  public String report(int limit) {
    double wall = System.nanoTime() - startNanos;
    Map<String, Long> groups = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long cpu = threads.getThreadCpuTime(id);
      if (info == null || cpu < 0) {
        continue;
      }
      String group = info.getThreadName().replaceAll("-[0-9A-Za-z]{6}$", "").replaceAll("[-#]?[0-9]+", "-N");
      groups.merge(group, cpu - startCpu.getOrDefault(id, 0L), Long::sum);
    }
    long total = groups.values().stream().mapToLong(Long::longValue).sum();
    StringBuilder out = new StringBuilder(String.format("  cpu: %.2f cores in live threads over %.1f s:", total / wall,
        wall / 1e9));
    groups.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(limit)
        .forEach(e -> out.append(String.format(" %s %.0f%%,", e.getKey(), 100 * e.getValue() / wall)));
    out.setLength(out.length() - 1);
    return out.toString();
  }
}
