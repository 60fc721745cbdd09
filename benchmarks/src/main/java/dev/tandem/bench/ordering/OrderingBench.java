package dev.tandem.bench.ordering;

import dev.tandem.bench.ThreadCpu;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Ordering throughput and submit-to-commit latency of 4-replica clusters on loopback, one system
 * after the other in the same run, at several offered loads.
 *
 * <p>Usage: {@code benchmarks/run.sh ordering [systems] [seconds] [rates] [payloadBytes] [nodes] [rounds]},
 * defaults {@code ratis,tandem 10 200,1000,5000,max 256 4 1}; systems: ratis, ratis-signed (signed
 * transactions, verified by every replica), tandem (whole blocks in proposals, the default),
 * tandem-compact (transaction ids), tandem-one (a single BFT validator: consensus rounds with their
 * safety writes but no network between validators) and tandem-solo (one node ordering alone, a block
 * every millisecond: Tandem's pipeline without consensus); the last two are floors for reading the
 * 4-validator figures, and run one node whatever the replica count. A rate of {@code max} is a closed loop
 * with {@value #WINDOW} payloads in flight. Each system gets a warm-up first (see {@link #WARM_UP}).
 * With several systems, each runs in a JVM of its own, so that none finds code the others compiled.
 * With several rounds, the systems run in turn that many times and the ratios against the first
 * system are also given as medians over the rounds: this machine drifts by up to 2x within minutes.
 */
public final class OrderingBench {
  static final int WINDOW = 1000;
  private static final Duration DRAIN = Duration.ofSeconds(30);
  /**
   * Each of the two warm-up phases (paced, then saturated), 30 s unless
   * {@code -Dtandem.bench.warmupSeconds=N} (e.g. through {@code BENCH_JAVA_OPTS}): on two cores the
   * JIT keeps compiling hot paths, Ed25519 verification among them, for about half a minute, and a
   * shorter warm-up measures the compiler as much as the system (5 s before 2026-12-02).
   */
  private static final Duration WARM_UP = Duration.ofSeconds(Long.getLong("tandem.bench.warmupSeconds", 30));
  /**
   * Each offered load first runs unmeasured this long, 30 s unless
   * {@code -Dtandem.bench.loadWarmupSeconds=N} (0: none, as before 2026-12-02 05:30 UTC): a load
   * that follows another invalidates the profiles the JIT compiled for that one, and on two cores
   * the recompiling (0.4-0.5 cores for the first 25 s of 200/s after the saturated warm-up) would
   * be measured with the system.
   */
  private static final Duration LOAD_WARM_UP = Duration.ofSeconds(Long.getLong("tandem.bench.loadWarmupSeconds", 30));
  /**
   * After its warm-up a load keeps running unmeasured, in 5-second steps, while the JIT compiler
   * uses more than {@value #JIT_SETTLED_CORES} cores, for at most this long (90 s unless
   * {@code -Dtandem.bench.jitSettleSeconds=N}; 0: off). On this 2-core machine the compiler went on
   * for minutes at 200/s, at 0.2-0.66 cores, in Ratis' JVM as in Tandem's (2026-12-02), and moved
   * either system's p50 by several times.
   */
  private static final Duration JIT_SETTLE_MAX = Duration.ofSeconds(Long.getLong("tandem.bench.jitSettleSeconds", 90));
  private static final double JIT_SETTLED_CORES = 0.05;
  private static final Duration JIT_SETTLE_STEP = Duration.ofSeconds(5);
  /** Set in a system's own JVM: run the one system given and print its results as {@link Summary} lines. */
  private static final String CHILD_PROPERTY = "tandem.bench.ordering.child";

  private OrderingBench() {}

  public static void main(String[] args) throws Exception {
    List<String> systems = Arrays.asList((args.length > 0 ? args[0] : "ratis,tandem").split(","));
    Duration duration = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
    int[] rates = Arrays.stream((args.length > 2 ? args[2] : "200,1000,5000,max").split(","))
        .mapToInt(r -> r.equals("max") ? 0 : Integer.parseInt(r)).toArray();
    int payloadBytes = args.length > 3 ? Integer.parseInt(args[3]) : 256;
    int nodes = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    boolean child = Boolean.getBoolean(CHILD_PROPERTY);
    int rounds = child || args.length <= 5 ? 1 : Integer.parseInt(args[5]);
    System.out.printf("ordering bench: %d replicas on loopback, %d-byte payloads, %s per load, %d cores%n", nodes,
        payloadBytes, duration, Runtime.getRuntime().availableProcessors());
    List<List<Summary>> byRound = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      List<Summary> results = new ArrayList<>();
      for (String system : systems) {
        if ((systems.size() > 1 || rounds > 1) && !child) {
          results.addAll(runInOwnJvm(system, args));
          continue;
        }
        for (LoadGenerator.Result r : runSystem(factory(system), nodes, duration, rates, payloadBytes)) {
          Summary summary = Summary.of(r);
          results.add(summary);
          if (child) {
            System.out.println(summary.encode());
          }
        }
      }
      byRound.add(results);
    }
    if (!child) {
      for (int round = 1; round <= rounds; round++) {
        System.out.println();
        System.out.println((rounds > 1 ? "round " + round + ": " : "") + "system   offered/s  submitted  skipped"
            + "  committed  failed  lost  committed/s   p50(ms)   p99(ms)  per-position");
        byRound.get(round - 1).forEach(r -> System.out.println(r.row()));
        printRatios(byRound.get(round - 1), systems);
      }
      if (rounds > 1) {
        printMedianRatios(byRound, systems);
      }
    }
    System.exit(0);
  }

  /**
   * Runs one system in a JVM of its own, with this JVM's options and class path, and returns its
   * results. Systems that share a JVM do not get an equal start: the one that runs later finds the
   * shared code compiled (one run went from 1,499 to 2,621 tx/s by running second).
   */
  private static List<Summary> runInOwnJvm(String system, String[] args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-D" + CHILD_PROPERTY + "=true");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(OrderingBench.class.getName());
    command.add(system);
    command.addAll(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<Summary> results = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith(Summary.PREFIX)) {
          results.add(Summary.decode(line));
        } else if (!line.startsWith("ordering bench:")) {
          System.out.println(line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(system + " ran in its own JVM and exited with " + exit);
    }
    return results;
  }

  /** One load's result, as printed and as passed from a system's own JVM (one tab-separated line). */
  record Summary(String system, String offered, int rate, long submitted, long skipped, long committed, long failed,
      long lost, double committedPerSecond, double p50Millis, double p99Millis, double perPosition) {
    static final String PREFIX = "SUMMARY\t";

    static Summary of(LoadGenerator.Result r) {
      return new Summary(r.system(), r.offered(), r.rate(), r.submitted(), r.skipped(), r.committed(), r.failed(),
          r.lost(), r.committedPerSecond(), r.p50Millis(), r.p99Millis(), r.perPosition());
    }

    String encode() {
      return PREFIX + String.join("\t", system, offered, Integer.toString(rate), Long.toString(submitted),
          Long.toString(skipped), Long.toString(committed), Long.toString(failed), Long.toString(lost),
          Double.toString(committedPerSecond), Double.toString(p50Millis), Double.toString(p99Millis),
          Double.toString(perPosition));
    }

    static Summary decode(String line) {
      String[] f = line.substring(PREFIX.length()).split("\t");
      return new Summary(f[0], f[1], Integer.parseInt(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
          Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Double.parseDouble(f[8]),
          Double.parseDouble(f[9]), Double.parseDouble(f[10]), Double.parseDouble(f[11]));
    }

    String row() {
      return String.format("%-8s %9s %10d %8d %10d %7d %5d %12.0f %9.1f %9.1f %13.1f", system, offered, submitted,
          skipped, committed, failed, lost, committedPerSecond, p50Millis, p99Millis, perPosition);
    }
  }

  static Supplier<OrderingCluster> factory(String system) {
    return switch (system) {
      case "ratis" -> RatisCluster::new;
      case "ratis-signed" -> () -> new RatisCluster(true);
      case "tandem" -> () -> new TandemCluster(TandemCluster.Mode.FULL);
      case "tandem-compact" -> () -> new TandemCluster(TandemCluster.Mode.COMPACT);
      case "tandem-one" -> () -> new TandemCluster(TandemCluster.Mode.ONE_VALIDATOR);
      case "tandem-solo" -> () -> new TandemCluster(TandemCluster.Mode.SOLO);
      default -> throw new IllegalArgumentException("unknown system '" + system
          + "' (ratis | ratis-signed | tandem | tandem-compact | tandem-one | tandem-solo)");
    };
  }

  /** Starts one cluster, warms it up, and runs every offered load against it. */
  public static List<LoadGenerator.Result> runSystem(Supplier<OrderingCluster> factory, int nodes, Duration duration,
      int[] rates, int payloadBytes) throws Exception {
    List<LoadGenerator.Result> results = new ArrayList<>();
    try (OrderingCluster cluster = factory.get()) {
      long t0 = System.nanoTime();
      cluster.start(nodes);
      System.out.printf("%s: %d replicas up in %.1f s%n", cluster.name(), nodes, (System.nanoTime() - t0) / 1e9);
      // The JIT compiles what a load exercises: warm up both the paced and the saturated paths, or the
      // first system of a run measures the compiler rather than itself.
      LoadGenerator.run(cluster, 500, WARM_UP, payloadBytes, WINDOW, DRAIN);
      LoadGenerator.run(cluster, 0, WARM_UP, payloadBytes, WINDOW, DRAIN);
      for (int rate : rates) {
        if (!LOAD_WARM_UP.isZero()) {
          LoadGenerator.run(cluster, rate, LOAD_WARM_UP, payloadBytes, WINDOW, DRAIN);
        }
        settleJit(cluster, rate, payloadBytes);
        AtomicReference<ThreadCpu> cpu = new AtomicReference<>();
        LoadGenerator.Result r = LoadGenerator.run(cluster, rate, duration, payloadBytes, WINDOW, DRAIN,
            () -> {
              cpu.set(ThreadCpu.start());
              cluster.describeWork(0); // counts from here on
            });
        System.out.println(row(r));
        System.out.println(cpu.get().report(12, r.committed()));
        String work = cluster.describeWork(r.committed());
        if (!work.isEmpty()) {
          System.out.println("  " + work);
        }
        if (r.firstError() != null) {
          System.out.println("  first error: " + r.firstError());
        }
        if (r.lost() > 0) {
          System.out.println("  backlog: " + cluster.describeBacklog());
        }
        results.add(r);
      }
    }
    return results;
  }

  /** Runs the load unmeasured until the JIT compiler is nearly idle (see {@link #JIT_SETTLE_MAX}); says how long it took. */
  private static void settleJit(OrderingCluster cluster, int rate, int payloadBytes) throws Exception {
    long deadline = System.nanoTime() + JIT_SETTLE_MAX.toNanos();
    double jit = Double.NaN;
    int steps = 0;
    while (System.nanoTime() < deadline) {
      long ticks = ThreadCpu.jitTicks();
      long start = System.nanoTime();
      LoadGenerator.run(cluster, rate, JIT_SETTLE_STEP, payloadBytes, WINDOW, DRAIN);
      jit = ThreadCpu.jitCores(ticks, System.nanoTime() - start);
      steps++;
      if (!(jit > JIT_SETTLED_CORES)) {
        break; // settled, or unreadable (NaN): nothing to wait for
      }
    }
    if (!JIT_SETTLE_MAX.isZero()) {
      System.out.printf("  JIT settling: %d more step(s) of %d s at this load, compiler at %.2f cores in the last%s%n",
          steps, JIT_SETTLE_STEP.toSeconds(), jit, jit > JIT_SETTLED_CORES ? " (not settled: capped)" : "");
    }
  }

  static String row(LoadGenerator.Result r) {
    return Summary.of(r).row();
  }

  /** Every other system against the first one, load by load: the median over the rounds of each round's ratio. */
  private static void printMedianRatios(List<List<Summary>> byRound, List<String> systems) {
    if (systems.size() < 2) {
      return;
    }
    String base = systems.get(0);
    System.out.println();
    for (Summary r : byRound.get(0)) {
      if (r.system().equals(base)) {
        continue;
      }
      List<Double> throughput = new ArrayList<>();
      List<Double> p50 = new ArrayList<>();
      for (List<Summary> round : byRound) {
        Optional<Summary> mine = round.stream().filter(x -> x.system().equals(r.system()) && x.rate() == r.rate())
            .findFirst();
        Optional<Summary> theirs = round.stream().filter(x -> x.system().equals(base) && x.rate() == r.rate())
            .findFirst();
        if (mine.isPresent() && theirs.isPresent()) {
          throughput.add(mine.get().committedPerSecond() / theirs.get().committedPerSecond());
          p50.add(mine.get().p50Millis() / theirs.get().p50Millis());
        }
      }
      System.out.printf("%s/%s at %s/s over %d rounds: median throughput %.2f (%s), median p50 %.2f (%s)%n",
          r.system(), base, r.offered(), throughput.size(), median(throughput), range(throughput), median(p50),
          range(p50));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String range(List<Double> values) {
    return String.format("%.2f-%.2f", values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
  }

  /** Every other system against the first one, load by load. */
  private static void printRatios(List<Summary> results, List<String> systems) {
    if (systems.size() < 2) {
      return;
    }
    String base = systems.get(0);
    for (Summary r : results) {
      if (r.system().equals(base)) {
        continue;
      }
      results.stream().filter(b -> b.system().equals(base) && b.rate() == r.rate()).findFirst().ifPresent(b ->
          System.out.printf("%s/%s at %s/s: throughput %.2f, p50 %.2f, p99 %.2f%n", r.system(), base, r.offered(),
              r.committedPerSecond() / b.committedPerSecond(), r.p50Millis() / b.p50Millis(),
              r.p99Millis() / b.p99Millis()));
    }
  }
}
