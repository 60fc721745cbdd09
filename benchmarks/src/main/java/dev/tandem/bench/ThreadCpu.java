package dev.tandem.bench;

import dev.tandem.core.KeyPair;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * CPU time per thread group over a measured interval, from the JVM's per-thread counters (user and
 * system time). Threads are grouped by name with numbers and peer-id suffixes removed, so the four
 * validators' "tandem-consensus" threads count together. Threads that ended during the interval
 * and JVM-internal threads (JIT, GC) are not seen there, so the report also gives the whole
 * process' CPU, the JIT compiler's and the garbage collector's threads' CPU (from
 * {@code /proc/self/task}), and how busy the machine was (from {@code /proc/stat}), where readable.
 */
public final class ThreadCpu {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> startCpu = new HashMap<>();
  private final long startNanos;
  private final long startProcessCpu;
  private final long[] startMachine;
  private final long[] startJvmInternal;
  private final double verifyMicros;

  private ThreadCpu() {
    verifyMicros = ed25519VerifyMicros();
    for (long id : threads.getAllThreadIds()) {
      startCpu.put(id, threads.getThreadCpuTime(id));
    }
    startProcessCpu = processCpuNanos();
    startMachine = machineTicks();
    startJvmInternal = jvmInternalTicks();
    startNanos = System.nanoTime();
  }

  /**
   * How long one Ed25519 verification takes on one thread right now (the best of five batches of
   * 200): the machine's speed at the moment, which moves by up to 2x between runs here. CPU per
   * item divided by it is a cost in verifications, comparable across runs.
   */
  static double ed25519VerifyMicros() {
    KeyPair key = KeyPair.generate(new Random(1));
    byte[] message = new byte[32];
    byte[] signature = key.sign(message);
    double best = Double.MAX_VALUE;
    boolean ok = true;
    for (int batch = 0; batch < 5; batch++) {
      long start = System.nanoTime();
      for (int i = 0; i < 200; i++) {
        ok &= key.publicKey().verify(message, signature);
      }
      best = Math.min(best, (System.nanoTime() - start) / 1e3 / 200);
    }
    if (!ok) {
      throw new IllegalStateException("the calibration signature did not verify");
    }
    return best;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  /** Busy and total jiffies of all cores since boot, or null where /proc/stat cannot be read. */
  private static long[] machineTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Jiffies of the JIT compiler threads and of the garbage collector threads of this process, or
   * null where {@code /proc/self/task} cannot be read. Compiler threads come and go in JDK 17, and
   * one that ended during the interval takes its time with it, so the JIT figure is a lower bound.
   */
  private static long[] jvmInternalTicks() {
    long[] ticks = new long[2];
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long cpu = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        if (name.contains("CompilerThre")) {
          ticks[0] += cpu;
        } else if (name.startsWith("GC ") || name.startsWith("G1 ")) {
          ticks[1] += cpu;
        }
      }
      return ticks;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The cores the JIT compiler threads used since {@code sinceTicks} (a {@link #jitTicks()} reading)
   * over {@code wallNanos}; NaN where {@code /proc/self/task} cannot be read.
   */
  public static double jitCores(long sinceTicks, long wallNanos) {
    long now = jitTicks();
    return now < 0 || sinceTicks < 0 ? Double.NaN : cores(now - sinceTicks, wallNanos);
  }

  /** Cores used by {@code ticks} of {@code /proc} CPU time (USER_HZ, 100 a second on Linux) over {@code wallNanos}. */
  private static double cores(long ticks, double wallNanos) {
    return ticks * 1e7 / wallNanos;
  }

  /** The JIT compiler threads' jiffies so far, or -1 where they cannot be read. */
  public static long jitTicks() {
    long[] ticks = jvmInternalTicks();
    return ticks == null ? -1 : ticks[0];
  }

  /** Starts an interval now. */
  public static ThreadCpu start() {
    return new ThreadCpu();
  }

  /**
   * As {@link #report(int)}, plus the process' CPU per item done in the interval (e.g. committed
   * payloads): the efficiency figure that other load on the machine moves least.
   */
  public String report(int limit, long items) {
    long processCpu = processCpuNanos();
    String report = report(limit);
    if (items <= 0 || processCpu < 0) {
      return report;
    }
    double perItem = (processCpu - startProcessCpu) / 1e3 / items;
    return report + String.format("%n  cpu per item: %.0f µs (process CPU over %d items) = %.1f Ed25519"
        + " verifications (%.1f µs each on one thread before the load)", perItem, items, perItem / verifyMicros,
        verifyMicros);
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
    long processCpu = processCpuNanos();
    long[] machine = machineTicks();
    StringBuilder out = new StringBuilder(String.format("  cpu over %.1f s: process %.2f cores", wall / 1e9,
        processCpu < 0 ? Double.NaN : (processCpu - startProcessCpu) / wall));
    if (machine != null && startMachine != null && machine[1] > startMachine[1]) {
      out.append(String.format(", machine %.0f%% busy", 100.0 * (machine[0] - startMachine[0]) / (machine[1] - startMachine[1])));
    }
    long[] jvmInternal = jvmInternalTicks();
    if (jvmInternal != null && startJvmInternal != null) {
      out.append(String.format(", JIT compiler %.2f cores, GC %.2f cores",
          cores(jvmInternal[0] - startJvmInternal[0], wall), cores(jvmInternal[1] - startJvmInternal[1], wall)));
    }
    out.append(String.format("; %.2f cores in live threads:", total / wall));
    groups.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(limit)
        .forEach(e -> out.append(String.format(" %s %.0f%%,", e.getKey(), 100 * e.getValue() / wall)));
    out.setLength(out.length() - 1);
    return out.toString();
  }
}
