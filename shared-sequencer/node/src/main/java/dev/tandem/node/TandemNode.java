package dev.tandem.node;

import dev.tandem.adapters.evm.EvmLegSimulator;
import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.adapters.pipeline.PipelineSpec;
import dev.tandem.bundles.LegSimulator;
import dev.tandem.core.Block;
import dev.tandem.core.BoundedMap;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.node.bundles.BundleService;
import dev.tandem.node.mempool.AdmissionException;
import dev.tandem.node.mempool.Mempool;
import dev.tandem.node.mempool.RejectReason;
import dev.tandem.node.mempool.RejectionLog;
import dev.tandem.node.mempool.TxValidator;
import dev.tandem.node.metrics.NodeMetrics;
import dev.tandem.node.net.P2pService;
import dev.tandem.node.net.TxGossip;
import dev.tandem.node.ordering.Ordering;
import dev.tandem.node.ordering.OrderingContext;
import dev.tandem.node.ordering.SingleNodeOrdering;
import dev.tandem.node.rpc.RpcBackend;
import dev.tandem.node.rpc.RpcServer;
import dev.tandem.node.store.LmdbNodeStore;
import dev.tandem.node.store.NodeStore;
import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Multiaddr;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running sequencer node: durable mempool and global log on LMDB, an {@link Ordering} that turns
 * admitted transactions into finalized blocks, and the JSON-RPC/WebSocket/metrics server.
 *
 * <pre>{@code
 * try (TandemNode node = TandemNode.start(NodeConfig.load(Path.of("node.yaml")))) {
 *   TandemClient client = TandemClient.connect(node.rpcUrl());
 *   node.blocks().subscribe(block -> ...);
 * }
 * }</pre>
 */
public final class TandemNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TandemNode.class);
  static final String STORE_DIR = "lmdb";
  static final String LOCK_FILE = "node.lock";
  private static final int ADMISSION_TIMES = 65_536;

  private final NodeConfig config;
  private final KeyPair key;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final NodeStore store;
  private final Mempool mempool;
  private final BundleService bundles;
  private final RejectionLog rejections;
  private final NodeMetrics metrics;
  /**
   * When this node admitted each of its clients' pending transactions ({@link System#nanoTime}), for
   * {@code tandem_tx_finality}; bounded, so that transactions that never finalize cannot grow it.
   */
  private final Map<Hash, Long> admittedAt = BoundedMap.insertionOrdered(ADMISSION_TIMES);
  private final List<Consumer<Block>> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService announcer;
  private final Ordering ordering;
  private volatile BlockHeader tip;
  private Vertx vertx;
  private RpcServer rpc;
  private volatile P2pService p2p;
  private volatile TxGossip txGossip;
  /** The rollup adapters of {@code config.adapters()} and the bundle pre-checks built from it. */
  private volatile AdapterPipeline adapterPipeline;
  private FinalizedBlocks.Subscription adapterWakeups;
  private List<EvmLegSimulator> ownedSimulators = List.of();
  private boolean closed;

  private TandemNode(NodeConfig config, FileChannel lockChannel, FileLock lock, Ordering.Factory orderingFactory,
      Map<Namespace, LegSimulator> legSimulators) {
    this.config = config;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.key = NodeKeys.loadOrCreate(config.dataDir());
    this.store = LmdbNodeStore.open(config.dataDir().resolve(STORE_DIR), config.lmdbMapSizeBytes());
    long height = store.finalizedHeight();
    this.tip = height == 0 ? null : store.header(height).orElseThrow(() -> new IllegalStateException(
        "store says height " + height + " is final but has no such block"));
    TxValidator validator = new TxValidator(config.chainId(), config.maxTxPayloadBytes(), config.minFeePerByte());
    this.bundles = new BundleService(config.chainId(), store, validator, BundleService.Config.defaults(), legSimulators,
        System::currentTimeMillis);
    this.mempool = new Mempool(store, validator, config.mempoolCapacity(), config.perSenderPendingLimit(),
        bundles.nonceClaims());
    this.rejections = new RejectionLog(config.rejectedRetention(), RejectionLog.MAX_ENTRIES, System::currentTimeMillis);
    Backend backend = new Backend();
    this.metrics = new NodeMetrics(mempool::size, this::finalizedHeight, RpcServer.methodNames(backend));
    this.announcer = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tandem-block-announcer");
      thread.setDaemon(true);
      return thread;
    });
    this.ordering = orderingFactory.create(config, key);
    metrics.txSignatureVerifications(mempool.validator()::verifications);
    metrics.consensusMessagesDropped(ordering::droppedMessages);
    metrics.gossipCopies(() -> p2p == null ? 0 : p2p.host().gossip().duplicatesReceived(),
        () -> p2p == null ? 0 : p2p.host().gossip().forwardsSpared());
    if (config.consensusEnabled()) {
      metrics.consensus(ordering::consensusStatus);
    }
    bundles.start(mempool, ordering::onBundlePending);
  }

  /**
   * Starts a node: BFT consensus when {@code config.consensus()} is set, else the single-node
   * orderer. Returns once the RPC server is listening.
   */
  public static TandemNode start(NodeConfig config) {
    return start(config, Map.of());
  }

  /**
   * Starts a node as {@link #start(NodeConfig)} does, with the rollups' execution pre-checks for
   * atomic bundles, by namespace (see {@link #start(NodeConfig, Ordering.Factory, Map)}).
   */
  public static TandemNode start(NodeConfig config, Map<Namespace, LegSimulator> legSimulators) {
    if (config.consensusEnabled()) {
      return start(config, dev.tandem.node.consensus.BftOrdering::new, legSimulators);
    }
    return start(config, (c, k) -> new SingleNodeOrdering(k, c.blockInterval(), c.maxBlockTxs(), c.maxBlockBytes(),
        System::currentTimeMillis), legSimulators);
  }

  /**
   * Starts a node with another ordering (consensus, p2p). Restores the log and the mempool from
   * {@code config.dataDir()}, binds the RPC server, then starts the ordering.
   */
  public static TandemNode start(NodeConfig config, Ordering.Factory orderingFactory) {
    return start(config, orderingFactory, Map.of());
  }

  /**
   * Starts a node with another ordering and the rollups' execution pre-checks for atomic bundles:
   * a bundle with a leg in one of {@code legSimulators}' namespaces is proposed only while its
   * simulation passes (docs/bundles.md).
   */
  public static TandemNode start(NodeConfig config, Ordering.Factory orderingFactory,
      Map<Namespace, LegSimulator> legSimulators) {
    Map<Namespace, EvmLegSimulator> fromAdapters = config.adapters() == null ? Map.of()
        : AdapterPipeline.legSimulators(config.adapters());
    Map<Namespace, LegSimulator> simulators = new java.util.HashMap<>(legSimulators);
    for (Map.Entry<Namespace, EvmLegSimulator> entry : fromAdapters.entrySet()) {
      if (simulators.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
        fromAdapters.values().forEach(EvmLegSimulator::close);
        throw new ConfigException("config field 'adapters.rollups' asks for simulate: true on namespace "
            + entry.getKey() + ", which already has an execution pre-check given in code; drop one of them");
      }
    }
    try {
      TandemNode node = start(config, orderingFactory, Map.copyOf(simulators), List.copyOf(fromAdapters.values()));
      return node;
    } catch (RuntimeException e) {
      fromAdapters.values().forEach(EvmLegSimulator::close);
      throw e;
    }
  }

  private static TandemNode start(NodeConfig config, Ordering.Factory orderingFactory,
      Map<Namespace, LegSimulator> legSimulators, List<EvmLegSimulator> ownedSimulators) {
    FileChannel channel = null;
    FileLock fileLock;
    try {
      Files.createDirectories(config.dataDir());
      channel = FileChannel.open(config.dataDir().resolve(LOCK_FILE), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      fileLock = channel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
      fileLock = null;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot use data directory " + config.dataDir(), e);
    }
    if (fileLock == null) {
      closeQuietly(channel);
      throw new IllegalStateException("another node is running on data directory " + config.dataDir());
    }
    TandemNode node = null;
    try {
      node = new TandemNode(config, channel, fileLock, orderingFactory, legSimulators);
      node.vertx = Vertx.vertx();
      try {
        node.rpc = RpcServer.start(node.vertx, node.new Backend(), node.metrics)
            .toCompletionStage().toCompletableFuture().join();
      } catch (java.util.concurrent.CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new IllegalStateException("cannot listen on " + config.rpcHost() + ":" + config.rpcPort() + ": "
            + cause.getMessage(), cause);
      }
      if (config.p2pEnabled()) {
        node.startP2p();
      }
      node.ordering.start(node.new Context());
      node.ownedSimulators = ownedSimulators;
      if (config.adapters() != null) {
        node.startAdapters(config.adapters());
      }
      LOG.info("node {} on chain {} listening at {} (finalized height {}, {} pending)", node.key.publicKey(),
          config.chainId(), node.rpcUrl(), node.finalizedHeight(), node.mempool.size());
      return node;
    } catch (RuntimeException e) {
      if (node != null) {
        node.close();
      } else {
        closeQuietly(channel);
      }
      throw e;
    }
  }

  /** Runs the configured rollup adapters over this node's own finalized log, woken by every new block. */
  private void startAdapters(PipelineSpec spec) {
    FinalizedBlocks log = blocks();
    adapterPipeline = AdapterPipeline.start(spec, log.asBlockSource());
    AdapterPipeline pipeline = adapterPipeline;
    metrics.adapters(pipeline::status);
    adapterWakeups = log.subscribe(block -> pipeline.wake());
  }

  /** The rollup adapters' status when the config has an {@code adapters} section. */
  public Optional<List<AdapterPipeline.Status>> adapterStatus() {
    AdapterPipeline pipeline = adapterPipeline;
    return pipeline == null ? Optional.empty() : Optional.of(pipeline.status());
  }

  /** Joins the libp2p network under the node key's identity (stable peer id) and gossips transactions. */
  private void startP2p() {
    HostConfig hostConfig = HostConfig.defaults(Identity.fromSeed(key.seed()), Multiaddr.parse(config.p2pListen()));
    p2p = P2pService.start(hostConfig, config.bootstrapPeers().stream().map(Multiaddr::parse).toList());
    TxGossip gossip = new TxGossip(p2p, config.chainId(), new TxGossip.Admission() {
      @Override
      public Transaction decode(byte[] encoded) {
        Transaction tx = mempool.validator().decode(encoded);
        mempool.checkNotFinalized(tx); // a late copy of a finalized transaction costs no verification
        return tx;
      }

      @Override
      public boolean[] verifySignatures(List<Transaction> transactions) {
        return mempool.validator().verifyAheadAll(transactions); // their admissions skip verifying again
      }

      @Override
      public void admit(byte[] encoded) {
        admitRelayed(encoded);
      }
    });
    gossip.start();
    txGossip = gossip;
    bundles.attach(p2p);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  public NodeConfig config() {
    return config;
  }

  /** The node's public key (proposer of its blocks). */
  public PublicKey nodeKey() {
    return key.publicKey();
  }

  /** The JSON-RPC endpoint, e.g. {@code http://127.0.0.1:8545/}. */
  public String rpcUrl() {
    return "http://" + urlHost() + ":" + rpc.port() + "/";
  }

  /** The WebSocket endpoint, e.g. {@code ws://127.0.0.1:8545/ws}. */
  public String wsUrl() {
    return "ws://" + urlHost() + ":" + rpc.port() + "/ws";
  }

  private String urlHost() {
    String host = config.rpcHost();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  public long finalizedHeight() {
    BlockHeader current = tip;
    return current == null ? 0 : current.height();
  }

  /**
   * The libp2p network when {@code p2pListen} is configured: peer id, listen addresses, peers, and
   * the {@link dev.tandem.node.net.NodeNetwork} that consensus and block sync run on.
   */
  public Optional<P2pService> p2p() {
    return Optional.ofNullable(p2p);
  }

  /** The finalized log, for in-process consumers. */
  public FinalizedBlocks blocks() {
    return new FinalizedBlocks() {
      @Override
      public long height() {
        return finalizedHeight();
      }

      @Override
      public Optional<Block> get(long height) {
        return height < 1 || height > finalizedHeight() ? Optional.empty() : store.block(height);
      }

      @Override
      public byte[] certificate(long height) {
        return height < 1 || height > finalizedHeight() ? new byte[0]
            : ordering.certificate(height).map(dev.tandem.bft.quorum.QuorumCertificate::encode).orElse(new byte[0]);
      }

      @Override
      public Subscription subscribe(Consumer<Block> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
      }
    };
  }

  /**
   * Admits an encoded transaction as {@code tandem_sendRawTransaction} does: returns its id once it
   * is durable in the mempool, or throws {@link AdmissionException} with the reason.
   */
  public Hash submit(byte[] encodedTx) {
    return startLocalAdmission(() -> encodedTx).finish().id();
  }

  /** Admits a transaction that came by gossip: kept in memory only, not gossiped again. */
  private void admitRelayed(byte[] encoded) {
    try {
      admitted(mempool.admitRelayed(encoded));
    } catch (AdmissionException e) {
      throw rejected(e);
    }
  }

  /**
   * Starts admitting a transaction from this node's client: checked, queued for the store's next
   * commit, and at once offered to ordering and gossiped. {@link Mempool.Admission#finish} waits
   * until it is durable, which is what the acknowledgement to the client stands for.
   */
  private Mempool.Admission startLocalAdmission(Supplier<byte[]> bytes) {
    byte[] encoded;
    Mempool.Admission admission;
    try {
      encoded = bytes.get();
      admission = mempool.startAdmission(encoded);
    } catch (AdmissionException e) {
      throw rejected(e);
    }
    admitted(admission.transaction());
    synchronized (admittedAt) {
      admittedAt.put(admission.transaction().id(), System.nanoTime());
    }
    TxGossip gossip = txGossip;
    if (gossip != null) {
      gossip.publish(admission.transaction(), encoded);
    }
    return admission;
  }

  private void admitted(Transaction tx) {
    metrics.admitted();
    rejections.forget(tx.id());
    ordering.onAdmitted(tx);
  }

  private AdmissionException rejected(AdmissionException e) {
    metrics.rejected(e.reason());
    // A duplicate's id belongs to a transaction that is fine; do not mark it rejected.
    if (e.reason() != RejectReason.DUPLICATE) {
      e.txId().ifPresent(id -> rejections.record(id, e.reason(), e.getMessage()));
    }
    return e;
  }

  private byte[] decodeHex(String hex) {
    int max = mempool.validator().maxEncodedBytes();
    if (hex == null) {
      throw new AdmissionException(RejectReason.MALFORMED, null, "transaction hex is missing");
    }
    if (hex.length() > 2 + 2L * max) {
      throw new AdmissionException(RejectReason.TOO_LARGE, null, "transaction of about " + hex.length() / 2
          + " bytes exceeds this node's limit of " + max + " bytes");
    }
    try {
      return Hex.decode(hex);
    } catch (DecodingException e) {
      throw new AdmissionException(RejectReason.MALFORMED, null, "transaction is not valid hex: " + e.getMessage());
    }
  }

  private void announce(Block block) {
    announcer.execute(() -> {
      try {
        rpc.publish(block);
      } catch (RuntimeException e) {
        LOG.warn("publishing block {} to subscribers failed", block.height(), e);
      }
      for (Consumer<Block> listener : listeners) {
        try {
          listener.accept(block);
        } catch (RuntimeException e) {
          LOG.warn("a block listener failed on block {}", block.height(), e);
        }
      }
    });
  }

  /** Stops the ordering and the RPC server, then closes the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The adapters first: they read the store, which closes last.
    if (adapterWakeups != null) {
      adapterWakeups.close();
    }
    if (adapterPipeline != null) {
      adapterPipeline.close();
    }
    // Gossip admission first, so that no gossiped transaction is admitted while the rest shuts down;
    // then the ordering and bundles while the network is still up (their last messages can leave).
    if (txGossip != null) {
      txGossip.close();
    }
    ordering.close();
    bundles.close();
    if (p2p != null) {
      p2p.close();
    }
    ownedSimulators.forEach(EvmLegSimulator::close);
    if (rpc != null) {
      rpc.close();
    }
    if (vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("closing Vert.x failed", e);
      }
    }
    announcer.shutdown();
    try {
      announcer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Waits for any write still under way (an admission whose RPC call outlived the server).
    store.close();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.warn("releasing the data directory lock failed", e);
    }
    LOG.info("node stopped at finalized height {}", finalizedHeight());
  }

  /** What the ordering sees. */
  private final class Context implements OrderingContext {
    @Override
    public long chainId() {
      return config.chainId();
    }

    @Override
    public Optional<BlockHeader> lastFinalized() {
      return Optional.ofNullable(tip);
    }

    @Override
    public Optional<Block> finalizedBlock(long height) {
      return store.block(height);
    }

    @Override
    public java.util.OptionalLong finalizedHeightOf(Hash blockHash) {
      return store.heightOf(blockHash);
    }

    @Override
    public boolean isAdmitted(Transaction tx) {
      return mempool.get(tx.id()).filter(tx::equals).isPresent();
    }

    @Override
    public boolean hasVerifiedSignature(Transaction tx) {
      return isAdmitted(tx) || mempool.validator().wasVerifiedAhead(tx)
          || bundles.pendingTransaction(tx.id()).filter(tx::equals).isPresent();
    }

    @Override
    public boolean[] verifySignatures(List<Transaction> transactions) {
      return mempool.validator().verifyAheadAll(transactions);
    }

    @Override
    public boolean isFinalized(Hash txId) {
      return store.locate(txId).isPresent();
    }

    @Override
    public Optional<dev.tandem.node.net.NodeNetwork> network() {
      return Optional.ofNullable(p2p);
    }

    @Override
    public List<Transaction> orderable(int maxTxs, long maxBytes) {
      return mempool.orderable(maxTxs, maxBytes);
    }

    @Override
    public List<Transaction> propose(long height, long timestampMillis, int maxTxs, long maxBytes,
        Set<Hash> inFlightTxIds, Set<Hash> inFlightBundleKeys) {
      List<Transaction> plain = OrderingContext.super.propose(height, timestampMillis, maxTxs, maxBytes, inFlightTxIds,
          inFlightBundleKeys);
      return bundles.propose(plain, height, timestampMillis, maxTxs, maxBytes, inFlightBundleKeys);
    }

    @Override
    public Optional<Transaction> pendingTransaction(Hash txId) {
      return mempool.get(txId).or(() -> bundles.pendingTransaction(txId));
    }

    @Override
    public boolean isBundleIncluded(Hash bundleKey) {
      return bundles.isIncludedInLog(bundleKey);
    }

    @Override
    public boolean hasPendingBundles() {
      return bundles.hasPending();
    }

    @Override
    public Optional<byte[]> finalizedCertificate(long height) {
      return store.certificate(height);
    }

    @Override
    public synchronized void finalize(Block block, byte[] certificate) {
      BlockHeader header = block.header();
      BlockHeader parent = tip;
      if (header.chainId() != config.chainId()) {
        throw new IllegalArgumentException("block is for chain " + header.chainId());
      }
      Hash expectedParent = parent == null ? ordering.genesisParent() : parent.hash();
      if (!header.parentHash().equals(expectedParent)) {
        throw new IllegalArgumentException("block " + header.height() + " does not extend the finalized tip");
      }
      long started = System.nanoTime();
      List<Transaction> superseded = mempool.commit(block, certificate, !ordering.finalizedBlocksRecoverable());
      long written = System.nanoTime();
      metrics.blockCommitted(block.transactions().size(), Duration.ofNanos(written - started));
      synchronized (admittedAt) {
        for (Transaction tx : block.transactions()) {
          Long at = admittedAt.remove(tx.id());
          if (at != null) {
            metrics.finalizedAfter(written - at);
          }
        }
      }
      tip = header;
      bundles.onFinalized(block);
      for (Transaction tx : superseded) {
        rejections.record(tx.id(), RejectReason.SUPERSEDED, "another transaction of the sender with nonce "
            + tx.nonce() + " was finalized");
        metrics.rejected(RejectReason.SUPERSEDED);
      }
      announce(block);
    }
  }

  /** What the RPC layer sees. */
  private final class Backend implements RpcBackend {
    @Override
    public NodeConfig config() {
      return config;
    }

    @Override
    public PublicKey nodeKey() {
      return key.publicKey();
    }

    @Override
    public Supplier<Transaction> startSubmitHex(String hex) {
      return startLocalAdmission(() -> decodeHex(hex))::finish;
    }

    @Override
    public Runnable prepareSubmissions(List<String> hexes) {
      List<Transaction> decoded = new ArrayList<>(hexes.size());
      for (String hex : hexes) {
        try {
          decoded.add(mempool.validator().decode(decodeHex(hex)));
        } catch (AdmissionException e) {
          // its submission refuses it with the reason
        }
      }
      mempool.validator().verifyAheadAll(decoded);
      TxGossip gossip = txGossip;
      return gossip == null ? () -> {} : gossip.hold();
    }

    @Override
    public long finalizedHeight() {
      return TandemNode.this.finalizedHeight();
    }

    @Override
    public Optional<Block> block(long height) {
      return blocks().get(height);
    }

    @Override
    public Optional<BlockHeader> header(long height) {
      return height < 1 || height > finalizedHeight() ? Optional.empty() : store.header(height);
    }

    @Override
    public Optional<NodeStore.TxLocation> locate(Hash txId) {
      return store.locate(txId);
    }

    @Override
    public Optional<Transaction> pending(Hash txId) {
      return mempool.get(txId);
    }

    @Override
    public boolean isOrderable(Transaction tx) {
      return mempool.isOrderable(tx);
    }

    @Override
    public Optional<RejectionLog.Rejection> rejection(Hash txId) {
      return rejections.get(txId);
    }

    @Override
    public long nextNonce(PublicKey sender) {
      return mempool.nextNonce(sender);
    }

    @Override
    public int mempoolSize() {
      return mempool.size();
    }

    @Override
    public List<Hash> pendingIds() {
      return mempool.pendingIds();
    }

    @Override
    public BundleService bundles() {
      return bundles;
    }

    @Override
    public List<dev.tandem.bft.Equivocation> equivocations() {
      return ordering.equivocations();
    }

    @Override
    public Optional<dev.tandem.bft.quorum.QuorumCertificate> certificate(long height) {
      return height < 1 || height > finalizedHeight() ? Optional.empty() : ordering.certificate(height);
    }
  }
}
