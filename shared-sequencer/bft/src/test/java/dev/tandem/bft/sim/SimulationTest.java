package dev.tandem.bft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tandem.bft.sim.Simulation.Byzantine;
import dev.tandem.bft.sim.Simulation.Scenario;
import org.junit.jupiter.api.Test;

/**
 * Seeded simulations: {@code tandem.sim.seeds} runs (300 by default, 5000 with -Ptandem-long) split
 * across n=4 and n=7; {@code -Dtandem.sim.seed=N} replays one seed.
 */
class SimulationTest {
  /** Simulated time after GST within which every honest node must commit new blocks. */
  private static final long PROGRESS_BOUND_MILLIS = 60_000;
  private static final int COMMITS_AFTER_GST = 3;

  static Scenario scenarioFor(long seed) {
    int n = seed % 2 == 0 ? 4 : 7;
    int f = (n - 1) / 3;
    Byzantine[] behaviours = Byzantine.values();
    Byzantine behaviour = behaviours[(int) ((seed / 2) % behaviours.length)];
    int byzantine = behaviour == Byzantine.NONE ? 0 : f;
    long gst = 1000 + (seed * 7919) % 3000;
    boolean crashes = (seed / 10) % 2 == 0;
    return new Scenario(seed, n, byzantine, behaviour, gst, crashes, false);
  }

  private static final long[] totals = new long[12];

  private static void runSeed(long seed) {
    Scenario scenario = scenarioFor(seed);
    Simulation sim = new Simulation(scenario);
    Simulation.Result result;
    try {
      result = sim.run(COMMITS_AFTER_GST, scenario.gstMillis() + PROGRESS_BOUND_MILLIS);
    } catch (RuntimeException e) {
      throw new AssertionError("seed " + seed + " (replay with -Dtandem.sim.seed=" + seed + "), " + scenario
          + ": " + e, e);
    }
    if (!result.progressed()) {
      fail("seed " + seed + " (replay with -Dtandem.sim.seed=" + seed + "), " + scenario
          + ": no progress within " + PROGRESS_BOUND_MILLIS + "ms after GST; min honest height "
          + result.minHonestHeight());
    }
    totals[0] += sim.events;
    totals[1] += sim.crashes;
    totals[2] += sim.rejectedBytes;
    totals[3] += sim.syncResponses;
    totals[4] += sim.timeoutsSent;
    totals[5] += result.minHonestHeight();
    totals[6] += sim.bundlesCommitted;
    totals[7] += sim.equivocationsDetected;
    totals[8] += sim.leadingProposalsSent;
    totals[9] += sim.crashesAfterLeadingProposal;
    totals[10] += sim.logBlocksLost;
    totals[11] += sim.restartsWithLogAhead;
  }

  @Test
  void seededRunsKeepSafetyAndMakeProgressAfterGst() {
    String one = System.getProperty("tandem.sim.seed");
    if (one != null && !one.isBlank()) {
      runSeed(Long.parseLong(one.trim()));
      return;
    }
    int seeds = Integer.getInteger("tandem.sim.seeds", 300);
    assertThat(seeds).isPositive();
    long start = System.nanoTime();
    for (long seed = 1; seed <= seeds; seed++) {
      runSeed(seed);
    }
    System.out.printf("bft simulation: %d seeds (n=4 and n=7) in %.1f s: %d events, %d crashes, %d undecodable"
        + " messages rejected, %d block sync responses, %d timeouts sent, %d blocks committed (min per run, summed),"
        + " %d atomic bundles committed whole, %d equivocations proven by honest nodes, %d proposals sent ahead of"
        + " their leader's safety write (%d leaders crashed right after one), %d crashes lost the last logged block,"
        + " %d restarts found the log ahead of the safety file%n",
        seeds, (System.nanoTime() - start) / 1e9, totals[0], totals[1], totals[2], totals[3], totals[4], totals[5],
        totals[6], totals[7], totals[8], totals[9], totals[10], totals[11]);
    // The runs must actually exercise crashes, garbage, sync and view changes.
    assertThat(totals[1]).isPositive();
    assertThat(totals[2]).isPositive();
    assertThat(totals[3]).isPositive();
    assertThat(totals[4]).isPositive();
    assertThat(totals[6]).isPositive();
    assertThat(totals[7]).isPositive();
    assertThat(totals[8]).isPositive();
    assertThat(totals[9]).isPositive();
    assertThat(totals[10]).isPositive();
  }

  /**
   * A validator whose own vote is a quorum (the only validator, or one holding more than 2/3 of the
   * stake beside Byzantine peers) certifies every block it proposes in the same event and must ask
   * to propose again rather than recurse; through crashes and restarts it keeps committing.
   */
  @Test
  void aValidatorWhoseVoteIsAQuorumKeepsCommitting() {
    long asked = 0;
    for (long seed = 1; seed <= 20; seed++) {
      int n = seed % 2 == 0 ? 1 : 4;
      Byzantine behaviour = n == 1 ? Byzantine.NONE : Byzantine.values()[(int) (seed / 2) % Byzantine.values().length];
      int byzantine = behaviour == Byzantine.NONE ? 0 : 1;
      Scenario scenario = new Scenario(seed, n, byzantine, behaviour, 1000 + seed * 100, true, false, true, true);
      Simulation sim = new Simulation(scenario);
      Simulation.Result result = sim.run(COMMITS_AFTER_GST, scenario.gstMillis() + PROGRESS_BOUND_MILLIS);
      assertThat(result.progressed()).as("seed %d, %s: min honest height %d", seed, scenario,
          result.minHonestHeight()).isTrue();
      asked += sim.proposeAgainTicks;
    }
    assertThat(asked).isPositive();
  }

  /** Without the bundle validity rule, a leader that splits bundles gets a split committed, and the checker sees it. */
  @Test
  void checkerDetectsSplitBundleWithoutTheValidityRule() {
    int detected = 0;
    for (long seed = 1; seed <= 10; seed++) {
      Scenario scenario = new Scenario(seed, 4, 1, Byzantine.SPLIT_BUNDLE, 0, false, false, false);
      try {
        new Simulation(scenario).run(20, 30_000);
      } catch (Simulation.InvariantViolation e) {
        assertThat(e.getMessage()).contains("bundle split").contains("seed " + seed);
        detected++;
      }
    }
    assertThat(detected).isPositive();
  }

  /** With twins of f+1 validators on both sides of a partition, the checker must see a fork. */
  @Test
  void checkerDetectsForkWithFPlusOneTwins() {
    int detected = 0;
    for (long seed = 1; seed <= 10; seed++) {
      Scenario scenario = new Scenario(seed, 4, 2, Byzantine.TWIN, 0, false, true);
      try {
        new Simulation(scenario).run(5, 30_000);
      } catch (Simulation.InvariantViolation e) {
        assertThat(e.getMessage()).contains("fork").contains("seed " + seed);
        detected++;
      }
    }
    assertThat(detected).isPositive();
  }
}
