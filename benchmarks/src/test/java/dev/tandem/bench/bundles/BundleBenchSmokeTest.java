package dev.tandem.bench.bundles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.ordering.LoadGenerator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bundle benchmark end to end for a handful of units: every plain transaction and every
 * bundle submitted is finalized (a bundle only with both legs in the manifest's block). No timing
 * is asserted; the real run is {@code benchmarks/run.sh bundles}.
 */
class BundleBenchSmokeTest {
  private static void assertAllFinalized(LoadGenerator.Result r) {
    assertThat(r.submitted()).isEqualTo(10);
    assertThat(r.failed()).as("failed, first error %s", r.firstError()).isZero();
    assertThat(r.committed()).isEqualTo(r.submitted());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.committed());
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyTransactionAndEveryBundleIsFinalized() throws Exception {
    List<BundleBench.Comparison> results = BundleBench.run(4, Duration.ofMillis(500), new int[] {20}, 64,
        Duration.ZERO, Duration.ofSeconds(60));
    assertThat(results).hasSize(1);
    assertThat(results.get(0).plain().system()).isEqualTo("plain");
    assertAllFinalized(results.get(0).plain());
    assertThat(results.get(0).bundle().system()).isEqualTo("bundle");
    assertAllFinalized(results.get(0).bundle());
  }
}
