package dev.tandem.bundles;

import java.util.Objects;

/** The outcome of a {@link LegSimulator}: ok, or would revert with a reason. */
public record SimulationResult(boolean ok, String reason) {
  public static final SimulationResult OK = new SimulationResult(true, "ok");

  public SimulationResult {
    Objects.requireNonNull(reason, "reason");
  }

  public static SimulationResult wouldRevert(String reason) {
    return new SimulationResult(false, reason);
  }
}
