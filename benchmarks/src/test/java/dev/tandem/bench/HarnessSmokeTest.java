package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.ordering.LoadGenerator;
import dev.tandem.bench.ordering.OrderingCluster;
import dev.tandem.bench.ordering.RatisCluster;
import dev.tandem.bench.ordering.TandemCluster;
import dev.tandem.bench.p2p.GossipBench;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark harnesses run end to end for a handful of operations: every submitted payload is
 * committed and every gossip message delivered, and the counts the harness reports add up. No
 * timing is asserted; the real runs are {@code benchmarks/run.sh}.
 */
class HarnessSmokeTest {
  private static final Duration SHORT = Duration.ofMillis(500);

  private static void assertAllCommitted(LoadGenerator.Result r) {
    assertThat(r.submitted()).isPositive();
    assertThat(r.failed()).as("failed, first error %s", r.firstError()).isZero();
    assertThat(r.committed()).isEqualTo(r.submitted());
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(r.committed());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void ratisClusterCommitsEveryPayload() throws Exception {
    try (RatisCluster cluster = new RatisCluster()) {
      cluster.start(3);
      assertThat(cluster.submit(new byte[] {42}).get(30, TimeUnit.SECONDS).position()).isPositive();
      LoadGenerator.Result paced = LoadGenerator.run(cluster, 40, SHORT, 64, 100, Duration.ofSeconds(30));
      assertAllCommitted(paced);
      assertThat(paced.submitted()).isEqualTo(20);
      assertAllCommitted(LoadGenerator.run(cluster, 0, SHORT, 64, 8, Duration.ofSeconds(30)));
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void signedRatisBaselineVerifiesAndCommitsEveryPayload() throws Exception {
    // A payload whose signature a replica refuses fails its request, so all committed means all verified.
    try (RatisCluster cluster = new RatisCluster(true)) {
      cluster.start(3);
      LoadGenerator.Result paced = LoadGenerator.run(cluster, 40, SHORT, 64, 100, Duration.ofSeconds(30));
      assertAllCommitted(paced);
      assertThat(paced.submitted()).isEqualTo(20);
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tandemNetworkCommitsEveryPayload() throws Exception {
    try (OrderingCluster cluster = new TandemCluster()) {
      cluster.start(4);
      LoadGenerator.Result paced = LoadGenerator.run(cluster, 20, SHORT, 64, 100, Duration.ofSeconds(60));
      assertAllCommitted(paced);
      assertThat(paced.submitted()).isEqualTo(10);
    }
  }

  /** The floors: one node without consensus, and one validator that is its own quorum. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void tandemFloorsCommitEveryPayload() throws Exception {
    for (TandemCluster.Mode mode : List.of(TandemCluster.Mode.SOLO, TandemCluster.Mode.ONE_VALIDATOR)) {
      try (OrderingCluster cluster = new TandemCluster(mode)) {
        cluster.start(4);
        LoadGenerator.Result paced = LoadGenerator.run(cluster, 20, SHORT, 64, 100, Duration.ofSeconds(30));
        assertAllCommitted(paced);
        assertThat(paced.submitted()).as(cluster.name()).isEqualTo(10);
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void tandemGossipDeliversEveryMessage() throws Exception {
    GossipBench.Result r = GossipBench.runTandem(3, 5, 64, 10);
    assertThat(r.delivered()).isEqualTo(10);
    assertThat(r.latencyMicros().getTotalCount()).isEqualTo(10);
  }
}
