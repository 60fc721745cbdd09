package dev.tandem.bench.ordering;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A replicated ordering service under load: {@link #start} brings up {@code nodes} replicas on
 * loopback, {@link #submit} hands one opaque payload to it, and the future completes once the
 * payload is committed (durable on a quorum and final). Implementations: {@link RatisCluster} (the
 * Raft baseline) and {@link TandemCluster} (Tandem's BFT network).
 */
public interface OrderingCluster extends AutoCloseable {
  /** Where a payload landed in the replicated log. */
  record Commit(long position) {}

  /** Short name for result tables. */
  String name();

  /** Starts {@code nodes} replicas and returns once the cluster accepts and commits payloads. */
  void start(int nodes) throws Exception;

  /**
   * The client's own work on a load's payloads, done before the load starts so that the measured CPU
   * is the cluster's: a Tandem client signs its transactions on its own machine. {@link #submit} then
   * gets these payloads, the same arrays, in this order, though perhaps not all of them.
   */
  default void prepare(List<byte[]> payloads) {}

  /**
   * Submits one payload without waiting for it. The future completes with its commit, or
   * exceptionally when the cluster refused it. May block briefly when the client applies back-pressure.
   */
  CompletableFuture<Commit> submit(byte[] payload);

  /**
   * Work counted inside the cluster since the last call, per payload committed meanwhile, for the run
   * log (Tandem: transaction signature checks per node); empty when nothing is counted.
   */
  default String describeWork(long committed) {
    return "";
  }

  /** What the uncommitted payloads are waiting for, for the run log; empty when nothing is known. */
  default String describeBacklog() {
    return "";
  }

  @Override
  void close() throws Exception;
}
