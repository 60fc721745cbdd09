package dev.tandem.bench.bundles;

import dev.tandem.bench.ordering.LoadGenerator;
import dev.tandem.bench.ordering.OrderingCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bundle inclusion against plain transactions on the same 4-validator network in the same run:
 * submit-to-final latency (p50/p99) and finalized throughput, load by load, plain first and then
 * bundles at each load, with the same open-loop generator as the ordering benchmark
 * ({@link LoadGenerator}: latency from each unit's due time, at most {@value #WINDOW} waiting).
 *
 * <p>Usage: {@code benchmarks/run.sh bundles [seconds] [rates] [payloadBytes] [validators]},
 * defaults {@code 10 20,100,300,max 256 4}. A unit is one transaction (plain) or one 2-leg bundle.
 */
public final class BundleBench {
  static final int WINDOW = 1000;
  private static final Duration WARM_UP = Duration.ofSeconds(3);

  private BundleBench() {}

  /** One load, both kinds: the plain run and the bundle run right after it. */
  public record Comparison(int rate, LoadGenerator.Result plain, LoadGenerator.Result bundle) {
    public double throughputRatio() {
      return bundle.committedPerSecond() / plain.committedPerSecond();
    }

    public double p50Ratio() {
      return bundle.p50Millis() / plain.p50Millis();
    }

    public double p99Ratio() {
      return bundle.p99Millis() / plain.p99Millis();
    }
  }

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 10);
    int[] rates = Arrays.stream((args.length > 1 ? args[1] : "20,100,300,max").split(","))
        .mapToInt(r -> r.equals("max") ? 0 : Integer.parseInt(r)).toArray();
    int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int validators = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    System.out.printf("bundle bench: %d validators on loopback, %d-byte leg payloads, %s per load, %d cores%n",
        validators, payloadBytes, duration, Runtime.getRuntime().availableProcessors());
    List<Comparison> results = run(validators, duration, rates, payloadBytes, WARM_UP, Duration.ofSeconds(30));
    System.out.println();
    System.out.println("kind     offered/s  submitted  skipped  finalized  failed  lost   units/s    legs/s   p50(ms)   p99(ms)  per-block");
    for (Comparison c : results) {
      System.out.println(row(c.plain(), 1));
      System.out.println(row(c.bundle(), 2));
    }
    System.out.println();
    for (Comparison c : results) {
      System.out.printf("bundle/plain at %s/s: units/s %.2f, p50 %.2f, p99 %.2f%n", offered(c.rate()),
          c.throughputRatio(), c.p50Ratio(), c.p99Ratio());
    }
    System.exit(0);
  }

  /**
   * Starts the network, warms both kinds up, then at each rate runs plain transactions and then
   * bundles for {@code duration} each, giving outstanding units {@code drain} to become final.
   */
  public static List<Comparison> run(int validators, Duration duration, int[] rates, int payloadBytes,
      Duration warmUp, Duration drain) throws Exception {
    List<Comparison> results = new ArrayList<>();
    long t0 = System.nanoTime();
    try (BundleNetwork network = BundleNetwork.start(validators)) {
      System.out.printf("%d validators up in %.1f s%n", validators, (System.nanoTime() - t0) / 1e9);
      OrderingCluster plain = network.plain();
      OrderingCluster bundles = network.bundles();
      if (!warmUp.isZero()) {
        LoadGenerator.run(plain, 50, warmUp, payloadBytes, WINDOW, drain);
        LoadGenerator.run(bundles, 50, warmUp, payloadBytes, WINDOW, drain);
      }
      for (int rate : rates) {
        LoadGenerator.Result p = report(network, LoadGenerator.run(plain, rate, duration, payloadBytes, WINDOW, drain), 1);
        LoadGenerator.Result b = report(network, LoadGenerator.run(bundles, rate, duration, payloadBytes, WINDOW, drain), 2);
        results.add(new Comparison(rate, p, b));
      }
    }
    return results;
  }

  private static LoadGenerator.Result report(BundleNetwork network, LoadGenerator.Result r, int legsPerUnit) {
    System.out.println(row(r, legsPerUnit));
    if (r.firstError() != null) {
      System.out.println("  first error: " + r.firstError());
    }
    if (r.lost() > 0) {
      System.out.println("  backlog: " + network.describeBacklog());
    }
    return r;
  }

  private static String offered(int rate) {
    return rate == 0 ? "max" : Integer.toString(rate);
  }

  static String row(LoadGenerator.Result r, int legsPerUnit) {
    return String.format("%-8s %9s %10d %8d %10d %7d %5d %9.0f %9.0f %9.1f %9.1f %10.1f", r.system(),
        offered(r.rate()), r.submitted(), r.skipped(), r.committed(), r.failed(), r.lost(), r.committedPerSecond(),
        r.committedPerSecond() * legsPerUnit, r.p50Millis(), r.p99Millis(), r.perPosition());
  }
}
