package dev.tandem.node.bundles;

import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleCodec;
import dev.tandem.bundles.BundlePool;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.bundles.BundleRules;
import dev.tandem.bundles.BundleState;
import dev.tandem.bundles.BundleStatus;
import dev.tandem.bundles.CancelRequest;
import dev.tandem.bundles.IncludedBundleIndex;
import dev.tandem.bundles.LegSimulator;
import dev.tandem.bundles.ProposalBuilder;
import dev.tandem.bundles.SignedManifest;
import dev.tandem.bundles.SimulationResult;
import dev.tandem.core.Block;
import dev.tandem.core.BoundedMap;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.mempool.Mempool;
import dev.tandem.node.mempool.TxValidator;
import dev.tandem.node.net.NodeNetwork;
import dev.tandem.node.store.NodeStore;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.gossip.ValidationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's atomic bundles: admission (on top of the pool's rules, each leg passes the node's
 * transaction checks and its sender nonce must be free here), durable pending bundles, gossip to the
 * other sequencers, the execution pre-check, proposals, and statuses with per-leg receipts.
 *
 * <p>Simulation never runs on the proposer's thread: a bundle that touches a namespace with a
 * {@link LegSimulator} is simulated in the background when it arrives and again after every
 * finalized block, and the proposer takes only bundles whose latest simulation passed. Bundles whose
 * namespaces have no simulator are proposed without one (atomic inclusion only, docs/bundles.md).
 */
public final class BundleService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BundleService.class);
  private static final byte KIND_BUNDLE = 1;
  private static final byte KIND_CANCEL = 2;

  /** Limits: bundles pending at once, how long ended statuses stay queryable in memory, size, bundles per block. */
  public record Config(int maxPending, Duration retention, int maxBundleBytes, int maxBundlesPerBlock) {
    public Config {
      if (maxPending < 1 || maxBundleBytes < 1 || maxBundlesPerBlock < 0 || retention.isNegative()) {
        throw new IllegalArgumentException("bundle limits must be positive");
      }
    }

    public static Config defaults() {
      return new Config(4_096, Duration.ofMinutes(10), 1 << 20, 1_024);
    }
  }

  /** Why a bundle or cancel was refused; {@code malformed} for undecodable input. */
  public static final class BundleRejected extends RuntimeException {
    private final boolean malformed;

    BundleRejected(String message, boolean malformed) {
      super(message, null, false, false);
      this.malformed = malformed;
    }

    public boolean malformed() {
      return malformed;
    }
  }

  /** A status and, once included, one receipt per leg (proofs against the block header). */
  public record StatusView(BundleStatus status, List<BundleReceipt> receipts) {
    public StatusView {
      receipts = List.copyOf(receipts);
    }
  }

  private record Simulated(boolean ok, String reason) {}

  private final long chainId;
  private final NodeStore store;
  private final TxValidator validator;
  private final Config config;
  private final BundlePool pool;
  private final Map<Namespace, LegSimulator> simulators;
  private final LongSupplier clock;
  private final Map<Hash, Simulated> simulations = new ConcurrentHashMap<>();
  /** The last failed pre-check of recently ended bundles, so their final status can say why. */
  private final Map<Hash, Simulated> endedFailures = Collections.synchronizedMap(BoundedMap.insertionOrdered(4_096));
  /** The pending revision of each key, as kept in the store. */
  private final Map<Hash, Bundle> pending = new ConcurrentHashMap<>();
  /** The manifests and legs of {@link #pending}, by transaction id (validators look them up per transaction). */
  private final Map<Hash, Transaction> pendingTransactions = new ConcurrentHashMap<>();
  /** Admits bundles and cancels that arrive by gossip. */
  private final ThreadPoolExecutor worker;
  /** Runs execution pre-checks, apart from admission, so that a burst of them never crowds out a bundle. */
  private final ThreadPoolExecutor simulator;
  /** Bundle ids with a pre-check waiting to run: one queued run per bundle is enough. */
  private final Set<Hash> simulationQueued = ConcurrentHashMap.newKeySet();
  private volatile Mempool mempool;
  private volatile Runnable onAccepted = () -> { };
  private volatile NodeNetwork network;
  private volatile boolean closed;

  public BundleService(long chainId, NodeStore store, TxValidator validator, Config config,
      Map<Namespace, LegSimulator> simulators, LongSupplier clock) {
    this.chainId = chainId;
    this.store = store;
    this.validator = validator;
    this.config = config;
    this.pool = new BundlePool(new BundlePool.Config(chainId, config.maxPending(), config.retention().toMillis()));
    this.simulators = Map.copyOf(simulators);
    this.clock = clock;
    this.worker = singleThread("tandem-bundles", new ThreadPoolExecutor.DiscardPolicy());
    // Refused when full, so that the bundle's queued mark is cleared and the next block retries it.
    this.simulator = singleThread("tandem-bundle-simulator", new ThreadPoolExecutor.AbortPolicy());
  }

  private static ThreadPoolExecutor singleThread(String name, RejectedExecutionHandler whenFull) {
    return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1_024), runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    }, whenFull);
  }

  /** The pending bundles' nonce claims, for the mempool's admission. */
  public Mempool.NonceClaims nonceClaims() {
    return pool::nonceClaim;
  }

  /**
   * Binds the mempool (for leg nonce checks) and restores the pending bundles kept in the store;
   * {@code onAccepted} runs after each newly pending bundle (it wakes an idle proposer).
   */
  public void start(Mempool nodeMempool, Runnable onAcceptedBundle) {
    this.mempool = nodeMempool;
    this.onAccepted = onAcceptedBundle;
    int restored = 0;
    List<Hash> gone = new ArrayList<>();
    for (byte[] encoded : store.pendingBundles()) {
      Bundle bundle;
      try {
        bundle = BundleCodec.decodeBundle(encoded);
      } catch (DecodingException e) {
        LOG.warn("dropping a stored pending bundle that no longer decodes: {}", e.getMessage());
        continue;
      }
      BundleStatus status = pool.submit(bundle, this::isIncludedInLog, clock.getAsLong());
      if (status.state() == BundleState.PENDING) {
        keepPending(bundle);
        restored++;
        simulateLater(bundle);
      } else {
        gone.add(bundle.key());
      }
    }
    store.removePendingBundles(gone);
    if (restored > 0 || !gone.isEmpty()) {
      LOG.info("restored {} pending bundles ({} ended while the node was down)", restored, gone.size());
    }
  }

  /** Joins the bundle gossip topic; accepted bundles and cancels from now on are published. */
  public void attach(NodeNetwork nodeNetwork) {
    nodeNetwork.subscribe(topic(), this::onGossip);
    this.network = nodeNetwork;
  }

  /** Admits a hex-encoded bundle ({@code tandem_sendBundle}); throws {@link BundleRejected}. */
  public BundleStatus submitHex(String hex) {
    if (hex == null || hex.length() > 2 + 2L * config.maxBundleBytes()) {
      throw new BundleRejected(hex == null ? "bundle hex is missing"
          : "bundle of about " + hex.length() / 2 + " bytes exceeds this node's limit of " + config.maxBundleBytes(),
          true);
    }
    Bundle bundle;
    try {
      bundle = BundleCodec.decodeBundleHex(hex);
    } catch (DecodingException e) {
      throw new BundleRejected("malformed bundle: " + e.getMessage(), true);
    }
    BundleStatus status = submit(bundle, true);
    if (status.state() == BundleState.REJECTED) {
      throw new BundleRejected(status.reason(), false);
    }
    return status;
  }

  /** Admits a bundle: the node's checks on every leg, then the pool's rules. */
  public BundleStatus submit(Bundle bundle, boolean publish) {
    String refusal = nodeRefusal(bundle);
    if (refusal != null) {
      return new BundleStatus(bundle.key(), bundle.id(), bundle.revision(), BundleState.REJECTED, refusal, -1, null,
          bundle.manifest().manifest().legs());
    }
    Bundle before = pending.get(bundle.key());
    BundleStatus status = pool.submit(bundle, this::isIncludedInLog, clock.getAsLong());
    boolean fresh = status.state() == BundleState.PENDING && bundle.id().equals(status.bundleId())
        && (before == null || !before.id().equals(bundle.id()));
    if (fresh) {
      store.putPendingBundle(bundle.key(), bundle.encode());
      if (before != null) {
        simulations.remove(before.id());
      }
      keepPending(bundle);
      simulateLater(bundle);
      onAccepted.run();
      NodeNetwork net = network;
      if (publish && net != null) {
        net.broadcast(topic(), message(KIND_BUNDLE, bundle.encode()));
      }
    }
    return status;
  }

  private String nodeRefusal(Bundle bundle) {
    Mempool pool = mempool;
    List<Transaction> all = bundle.transactions();
    for (int i = 0; i < all.size(); i++) {
      Transaction tx = all.get(i);
      String what = i == 0 ? "the manifest" : "leg " + (i - 1);
      if (tx.payloadLength() > validator.maxPayloadBytes()) {
        return what + " carries " + tx.payloadLength() + " payload bytes, above this node's limit of "
            + validator.maxPayloadBytes();
      }
      long minimum = validator.minimumFee(tx.encodedLength());
      if (tx.fee() < minimum) {
        return what + " pays fee " + tx.fee() + ", below the minimum " + minimum + " for its " + tx.encodedLength()
            + " bytes";
      }
      if (i > 0 && pool != null) {
        Optional<String> conflict = pool.legNonceConflict(tx.sender(), tx.nonce());
        if (conflict.isPresent()) {
          return what + ": " + conflict.get();
        }
      }
    }
    return null;
  }

  /** Applies a hex-encoded cancel ({@code tandem_cancelBundle}); throws {@link BundleRejected}. */
  public BundleStatus cancelHex(String hex) {
    CancelRequest cancel;
    try {
      if (hex == null) {
        throw new DecodingException("cancel hex is missing");
      }
      cancel = BundleCodec.decodeCancelHex(hex);
    } catch (DecodingException e) {
      throw new BundleRejected("malformed cancel: " + e.getMessage(), true);
    }
    BundleStatus status = cancel(cancel);
    NodeNetwork net = network;
    if (net != null) {
      net.broadcast(topic(), message(KIND_CANCEL, cancel.encode()));
    }
    return status;
  }

  private BundleStatus cancel(CancelRequest cancel) {
    BundleStatus status;
    try {
      status = pool.cancel(cancel, clock.getAsLong());
    } catch (IllegalArgumentException e) {
      throw new BundleRejected(e.getMessage(), false);
    }
    forgetEnded();
    return status;
  }

  /** The latest status of a bundle key, with receipts once included; empty when unknown. */
  public Optional<StatusView> status(Hash bundleKey) {
    Optional<BundleStatus> known = pool.status(bundleKey);
    if (known.isPresent() && known.get().state() != BundleState.INCLUDED) {
      return Optional.of(new StatusView(withSimulation(known.get()), List.of()));
    }
    // Included: the log is the authority (also long after the pool forgot the bundle).
    return includedStatus(bundleKey);
  }

  /** The status of one revision by its bundle id. */
  public Optional<StatusView> statusById(Hash bundleKey, Hash bundleId) {
    Optional<StatusView> latest = status(bundleKey);
    if (latest.isPresent() && bundleId.equals(latest.get().status().bundleId())) {
      return latest;
    }
    return pool.statusById(bundleId).filter(s -> s.bundleKey().equals(bundleKey))
        .map(s -> new StatusView(s, List.of()));
  }

  private Optional<StatusView> includedStatus(Hash bundleKey) {
    var height = store.bundleHeight(bundleKey);
    if (height.isEmpty()) {
      return pool.status(bundleKey).map(s -> new StatusView(s, List.of()));
    }
    Block block = store.block(height.getAsLong()).orElseThrow(() -> new IllegalStateException(
        "bundle index points at missing block " + height.getAsLong()));
    for (SignedManifest manifest : BundleRules.manifests(block)) {
      if (manifest.bundleKey().equals(bundleKey)) {
        BundleStatus status = new BundleStatus(bundleKey, manifest.bundleId(), manifest.manifest().revision(),
            BundleState.INCLUDED, "included at height " + block.height(), block.height(), block.hash(),
            manifest.manifest().legs());
        return Optional.of(new StatusView(status, BundleReceipt.forBundle(block, bundleKey)));
      }
    }
    throw new IllegalStateException("block " + block.height() + " does not hold bundle " + bundleKey);
  }

  private BundleStatus withSimulation(BundleStatus status) {
    Simulated simulated = status.bundleId() == null ? null
        : simulations.getOrDefault(status.bundleId(), endedFailures.get(status.bundleId()));
    if (simulated == null || simulated.ok()) {
      return status;
    }
    String reason = status.state() == BundleState.PENDING
        ? "not proposed: " + simulated.reason()
        : status.reason() + " (last execution pre-check: " + simulated.reason() + ")";
    return new BundleStatus(status.bundleKey(), status.bundleId(), status.revision(), status.state(), reason,
        status.includedHeight(), status.includedBlockHash(), status.legs());
  }

  /** A manifest or leg of a pending bundle, by transaction id. */
  public Optional<Transaction> pendingTransaction(Hash txId) {
    return Optional.ofNullable(pendingTransactions.get(txId));
  }

  /** Makes {@code bundle} the pending revision of its key, replacing an earlier one in the index. */
  private void keepPending(Bundle bundle) {
    Bundle earlier = pending.put(bundle.key(), bundle);
    if (earlier != null) {
      earlier.transactions().forEach(tx -> pendingTransactions.remove(tx.id()));
    }
    bundle.transactions().forEach(tx -> pendingTransactions.put(tx.id(), tx));
  }

  /** Whether the pool holds pending bundles (a proposer with nothing else may still have work later). */
  public boolean hasPending() {
    return pool.pendingCount() > 0;
  }

  /**
   * The order of the next block's transactions: pending bundles whose window holds the block and whose
   * execution pre-check passed, merged with the plain candidates by {@link ProposalBuilder}, which
   * never splits a bundle. {@code inFlightBundleKeys} are bundles in uncommitted ancestors.
   */
  public List<Transaction> propose(List<Transaction> plainCandidates, long height, long timestampMillis, int maxTxs,
      long maxBytes, Set<Hash> inFlightBundleKeys) {
    IncludedBundleIndex included = key -> inFlightBundleKeys.contains(key) || isIncludedInLog(key);
    List<Bundle> candidates = pool.proposable(height, timestampMillis, included, Map.of(), config.maxBundlesPerBlock());
    List<Bundle> ready = new ArrayList<>();
    for (Bundle bundle : candidates) {
      if (!needsSimulation(bundle)) {
        ready.add(bundle);
      } else {
        Simulated simulated = simulations.get(bundle.id());
        if (simulated != null && simulated.ok()) {
          ready.add(bundle);
        }
      }
    }
    if (ready.isEmpty()) {
      return plainCandidates;
    }
    return ProposalBuilder.build(plainCandidates, ready, new ProposalBuilder.Limits(maxTxs, maxBytes), height,
        timestampMillis, included).order();
  }

  /** Whether a bundle key is recorded by a finalized block. */
  public boolean isIncludedInLog(Hash bundleKey) {
    return store.bundleHeight(bundleKey).isPresent();
  }

  /** Applies a finalized block (in height order): statuses, the stored pool, fresh simulations. */
  public void onFinalized(Block block) {
    pool.onFinalized(block, clock.getAsLong());
    forgetEnded();
    if (!simulators.isEmpty()) {
      // The rollups' state moved on; re-check what is still pending.
      for (Bundle bundle : pending.values()) {
        simulateLater(bundle);
      }
    }
  }

  /** Drops ended bundles from the store and their simulation results. */
  private void forgetEnded() {
    List<Hash> ended = new ArrayList<>();
    for (Hash key : pending.keySet()) {
      Optional<BundleStatus> status = pool.status(key);
      if (status.isEmpty() || status.get().state() != BundleState.PENDING) {
        ended.add(key);
        Bundle bundle = pending.get(key);
        Simulated last = bundle == null ? null : simulations.remove(bundle.id());
        if (last != null && !last.ok()) {
          endedFailures.put(bundle.id(), last);
        }
      }
    }
    if (!ended.isEmpty()) {
      for (Hash key : ended) {
        Bundle gone = pending.remove(key);
        if (gone != null) {
          gone.transactions().forEach(tx -> pendingTransactions.remove(tx.id()));
        }
      }
      store.removePendingBundles(ended);
    }
  }

  private boolean needsSimulation(Bundle bundle) {
    return bundle.legs().stream().anyMatch(leg -> simulators.containsKey(leg.namespace()));
  }

  private void simulateLater(Bundle bundle) {
    if (!needsSimulation(bundle) || closed || !simulationQueued.add(bundle.id())) {
      return;
    }
    try {
      simulator.execute(() -> {
        simulationQueued.remove(bundle.id());
        try {
          simulate(bundle);
        } catch (RuntimeException e) {
          LOG.warn("execution pre-check of bundle {} failed: {}", bundle.key(), e.toString());
        }
      });
    } catch (RejectedExecutionException fullOrClosing) {
      simulationQueued.remove(bundle.id());
    }
  }

  private void simulate(Bundle bundle) {
    SimulationResult result = BundlePool.simulate(bundle, simulators);
    Simulated outcome = new Simulated(result.ok(), result.reason());
    simulations.put(bundle.id(), outcome);
    if (!outcome.ok()) {
      LOG.info("bundle {} revision {} held back: {}", bundle.key(), bundle.revision(), outcome.reason());
    }
  }

  private void execute(Runnable task) {
    if (closed) {
      return;
    }
    try {
      worker.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.warn("bundle background task failed: {}", e.toString());
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      // closing
    }
  }

  private ValidationResult onGossip(PeerId from, byte[] data) {
    if (data.length < 1 || data.length > config.maxBundleBytes() + 1) {
      return ValidationResult.REJECT;
    }
    byte[] body = Arrays.copyOfRange(data, 1, data.length);
    try {
      if (data[0] == KIND_BUNDLE) {
        Bundle bundle = BundleCodec.decodeBundle(body);
        if (bundle.chainId() != chainId || !bundle.verifySignatures().valid()) {
          return ValidationResult.REJECT;
        }
        // Off the network thread: admission takes the pools' locks and writes the store.
        execute(() -> submit(bundle, false));
        return ValidationResult.ACCEPT;
      }
      if (data[0] == KIND_CANCEL) {
        CancelRequest cancel = BundleCodec.decodeCancel(body);
        if (cancel.chainId() != chainId || !cancel.hasValidSignature()) {
          return ValidationResult.REJECT;
        }
        execute(() -> cancel(cancel));
        return ValidationResult.ACCEPT;
      }
    } catch (DecodingException | IllegalArgumentException e) {
      return ValidationResult.REJECT;
    }
    return ValidationResult.REJECT;
  }

  /** Bundles and cancels: {@code /tandem/<chainId>/bundles/1}, a kind byte then the encoding. */
  private String topic() {
    return "/tandem/" + chainId + "/bundles/1";
  }

  private static byte[] message(byte kind, byte[] body) {
    byte[] out = new byte[body.length + 1];
    out[0] = kind;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  @Override
  public void close() {
    closed = true;
    worker.shutdownNow();
    simulator.shutdownNow();
  }
}
