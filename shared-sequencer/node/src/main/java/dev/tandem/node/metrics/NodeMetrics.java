package dev.tandem.node.metrics;

import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.node.mempool.RejectReason;
import dev.tandem.node.ordering.ConsensusStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus metrics (one registry per node, scraped at {@code GET /metrics}):
 * {@code tandem_txs_admitted_total}, {@code tandem_txs_rejected_total{reason}},
 * {@code tandem_mempool_size}, {@code tandem_finalized_height}, {@code tandem_blocks_finalized_total},
 * {@code tandem_txs_finalized_total}, {@code tandem_block_commit_seconds},
 * {@code tandem_rpc_requests_total{method,outcome}}, {@code tandem_rpc_request_seconds{method}};
 * a validator's {@code tandem_consensus_*} ({@link #consensus}).
 */
public final class NodeMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter admitted;
  private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
  private final Counter blocks;
  private final Counter finalizedTxs;
  private final Timer commitTime;
  private final Timer finality;
  private final Set<String> rpcMethods;
  private final Map<String, Timer> rpcTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> rpcCounters = new ConcurrentHashMap<>();
  /** Micrometer holds a function counter's state object weakly: these keep them alive. */
  private final List<Object> counterStates = new CopyOnWriteArrayList<>();

  /**
   * @param rpcMethods the method names that get their own label; others count as "unknown", so a
   *     client cannot blow up the label space with made-up names
   */
  public NodeMetrics(Supplier<Number> mempoolSize, Supplier<Number> finalizedHeight, Set<String> rpcMethods) {
    this.rpcMethods = Set.copyOf(rpcMethods);
    admitted = Counter.builder("tandem_txs_admitted").description("Transactions admitted to the mempool")
        .register(registry);
    for (RejectReason reason : RejectReason.values()) {
      rejected.put(reason, Counter.builder("tandem_txs_rejected").description("Transactions rejected, by reason")
          .tag("reason", reason.label()).register(registry));
    }
    Gauge.builder("tandem_mempool_size", mempoolSize).description("Pending transactions").register(registry);
    Gauge.builder("tandem_finalized_height", finalizedHeight).description("Height of the last finalized block")
        .register(registry);
    blocks = Counter.builder("tandem_blocks_finalized").description("Blocks finalized").register(registry);
    finalizedTxs = Counter.builder("tandem_txs_finalized").description("Transactions finalized").register(registry);
    finality = Timer.builder("tandem_tx_finality").description("From this node's admission of a client's transaction"
        + " to its block written here: the submit-to-final latency its clients see").publishPercentileHistogram()
        .register(registry);
    commitTime = Timer.builder("tandem_block_commit").description("Durable block commit time (LMDB write and sync)")
        .publishPercentileHistogram().register(registry);
  }

  /** Transaction signature verifications (admissions, gossip checks, proposals): about one per transaction when all is well. */
  public void txSignatureVerifications(Supplier<Number> verifications) {
    functionCounter("tandem_tx_signature_verifications", "Ed25519 verifications of transaction signatures: on"
        + " admission, on gossip arrival and in proposals that came first. More than one per finalized transaction"
        + " means work done twice", verifications, source -> source.get().doubleValue());
  }

  /**
   * Gossip copies: {@code tandem_gossip_duplicates_received} (copies of messages the node already
   * had, each one sent for nothing) and {@code tandem_gossip_forwards_spared} (forwards not sent
   * because the peer said IDONTWANT).
   */
  public void gossipCopies(Supplier<Number> duplicates, Supplier<Number> spared) {
    functionCounter("tandem_gossip_duplicates_received", "Gossip messages received again (already seen): bandwidth"
        + " and decryption spent for nothing", duplicates, source -> source.get().doubleValue());
    functionCounter("tandem_gossip_forwards_spared", "Gossip forwards not sent because the peer already had the"
        + " message (IDONTWANT)", spared, source -> source.get().doubleValue());
  }

  /** Consensus messages the node dropped because its consensus thread was too far behind; see {@code Ordering}. */
  public void consensusMessagesDropped(Supplier<Number> dropped) {
    functionCounter("tandem_consensus_messages_dropped", "Consensus messages dropped because the consensus thread was"
        + " too far behind (a flooding validator or an overloaded node)", dropped, source -> source.get().doubleValue());
  }

  /**
   * A validator's consensus state: {@code tandem_consensus_view}, {@code _high_qc_view},
   * {@code _view_timeouts_total}, {@code _equivocations_total}, {@code _retained_messages},
   * {@code _connected_validators} and {@code _other_validators}.
   */
  public void consensus(Supplier<Optional<ConsensusStatus>> status) {
    gauge("tandem_consensus_view", "The view this validator is in", status, s -> s.view());
    gauge("tandem_consensus_high_qc_view", "The view of the highest quorum certificate this validator holds", status,
        s -> s.highQcView());
    functionCounter("tandem_consensus_view_timeouts", "View timer firings without progress (a view that stays stuck"
        + " fires again)", status, source -> source.get().map(s -> (double) s.viewTimeouts()).orElse(0.0));
    functionCounter("tandem_consensus_equivocations", "Equivocation evidence recorded (a leader signed two blocks for"
        + " one view)", status, source -> source.get().map(s -> (double) s.equivocations()).orElse(0.0));
    gauge("tandem_consensus_retained_messages", "Votes, timeouts and proposals the consensus core keeps", status,
        s -> s.retainedMessages());
    gauge("tandem_consensus_connected_validators", "Other validators with a live connection to this one", status,
        s -> s.connectedValidators());
    gauge("tandem_consensus_other_validators", "Other validators in the set", status, s -> s.otherValidators());
  }

  private void gauge(String name, String description, Supplier<Optional<ConsensusStatus>> status,
      ToDoubleFunction<ConsensusStatus> value) {
    Gauge.builder(name, () -> status.get().map(value::applyAsDouble).orElse(Double.NaN))
        .description(description).register(registry);
  }

  /** Registers a function counter and keeps its state alive (Micrometer holds it weakly). */
  private <T> void functionCounter(String name, String description, T state, ToDoubleFunction<T> count) {
    counterStates.add(state);
    FunctionCounter.builder(name, state, count).description(description).register(registry);
  }

  public void admitted() {
    admitted.increment();
  }

  public void rejected(RejectReason reason) {
    rejected.get(reason).increment();
  }

  public void blockCommitted(int txCount, Duration took) {
    blocks.increment();
    finalizedTxs.increment(txCount);
    commitTime.record(took);
  }

  /** A transaction this node admitted from a client is final here, {@code nanos} after its admission. */
  public void finalizedAfter(long nanos) {
    finality.record(Duration.ofNanos(nanos));
  }

  public void rpcRequest(String method, boolean ok, long nanos) {
    String label = rpcMethods.contains(method) ? method : "unknown";
    rpcCounters.computeIfAbsent(label + (ok ? "|ok" : "|error"), key -> Counter.builder("tandem_rpc_requests")
        .description("JSON-RPC requests by method and outcome").tag("method", label)
        .tag("outcome", ok ? "ok" : "error").register(registry)).increment();
    rpcTimers.computeIfAbsent(label, key -> Timer.builder("tandem_rpc_request").description("JSON-RPC call latency")
        .tag("method", label).register(registry)).record(Duration.ofNanos(nanos));
  }

  /**
   * Per configured rollup adapter: {@code tandem_adapter_delivered_height} and
   * {@code tandem_adapter_consecutive_failures}, tagged with namespace and kind. A delivered height
   * that stops following {@code tandem_finalized_height}, or failures above zero, need a look at
   * the node's log (the adapter says what failed and when it retries).
   */
  public void adapters(Supplier<List<AdapterPipeline.Status>> statuses) {
    for (AdapterPipeline.Status initial : statuses.get()) {
      Supplier<Optional<AdapterPipeline.Status>> current = () -> statuses.get().stream()
          .filter(s -> s.namespace().equals(initial.namespace())).findFirst();
      String namespace = initial.namespace().toHex();
      Gauge.builder("tandem_adapter_delivered_height",
              () -> current.get().map(AdapterPipeline.Status::deliveredHeight).orElse(0L))
          .description("Last finalized height a rollup adapter has delivered or posted")
          .tag("namespace", namespace).tag("kind", initial.kind()).register(registry);
      Gauge.builder("tandem_adapter_consecutive_failures",
              () -> current.get().map(AdapterPipeline.Status::consecutiveFailures).orElse(0))
          .description("Failed attempts of a rollup adapter since its last success")
          .tag("namespace", namespace).tag("kind", initial.kind()).register(registry);
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
