package dev.tandem.node.consensus;

import dev.tandem.bft.CertifiedBlock;
import dev.tandem.bft.CommittedChain;
import dev.tandem.bft.ConsensusCodec;
import dev.tandem.bft.ConsensusConfig;
import dev.tandem.bft.ConsensusCore;
import dev.tandem.bft.ConsensusMessage;
import dev.tandem.bft.Equivocation;
import dev.tandem.bft.Output;
import dev.tandem.bft.SafetyState;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bundles.SignedManifest;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.net.NodeNetwork;
import dev.tandem.node.ordering.ConsensusStatus;
import dev.tandem.node.ordering.Ordering;
import dev.tandem.node.ordering.OrderingContext;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.gossip.ValidationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IO shell around the pure {@link ConsensusCore}: one thread runs the core; every consensus
 * message goes to its validators over one long-lived direct stream per peer, and over the consensus
 * gossip topic to a validator this node cannot reach directly; {@link SafetyFile} keeps the safety
 * state (synced before any message of the same output leaves) and an LMDB store the equivocation
 * evidence; a finalizer thread writes committed blocks with their QCs to the node's log in height order.
 */
public final class BftOrdering implements Ordering {
  private static final Logger LOG = LoggerFactory.getLogger(BftOrdering.class);
  /** Gossip refuses RPCs above 1 MiB; a proposal carries its whole block. */
  static final int MAX_MESSAGE_BYTES = 1000 * 1024;
  private static final int MAX_BLOCK_BYTES = MAX_MESSAGE_BYTES - 16 * 1024;
  /** Consensus messages to one validator, in order, over a long-lived stream ({@link NodeNetwork#send}). */
  static final String DIRECT_PROTOCOL = "tandem-consensus";
  /** Fetches transactions of a compact proposal: request {@code u32 n, n x id}, response {@code u32 n, n x (u8 present, [tx])}. */
  static final String TX_FETCH_PROTOCOL = "tandem-consensus-txs";
  private static final Duration DIRECT_TIMEOUT = Duration.ofSeconds(5);
  /** An idle chain grows by at most one empty block this often (bounded by a third of the view timeout). */
  private static final long IDLE_BLOCK_INTERVAL_MILLIS = 250;
  private static final long TICK_MILLIS = 50;
  static final int MAX_QUEUED_MESSAGES = 10_000;

  private final NodeConfig config;
  private final KeyPair key;
  private final ValidatorSet validators;
  private final ConsensusCodec codec = new ConsensusCodec(MAX_MESSAGE_BYTES);
  private final Map<PeerId, PublicKey> validatorOfPeer = new HashMap<>();
  private final Map<PublicKey, PeerId> peerOfValidator = new HashMap<>();
  private final ScheduledExecutorService thread;
  private final String topic;
  /** Uncommitted blocks this node has seen: parent link and transaction ids, for payload and validity. */
  private final Map<Hash, Pending> uncommitted = new HashMap<>();
  private final int maxBlockBytes;
  /** Rebuilds compact proposals off the consensus thread (mempool lookups, fetches from the proposer). */
  private final ThreadPoolExecutor assembler;
  /** Answers other validators' transaction fetches (never blocks on the network, unlike the assembler). */
  private final ThreadPoolExecutor fetchResponder;
  private final AtomicLong fetchedTransactions = new AtomicLong();
  private final AtomicLong viewTimeouts = new AtomicLong();
  private final AtomicLong equivocationsRecorded = new AtomicLong();
  /** The core's view, high QC view and retained messages as of the last tick (written on the consensus thread). */
  private volatile long statusView;
  private volatile long statusHighQcView;
  private volatile int statusRetained;
  /** Writes committed blocks to the log in height order, so that a slow disk write never holds up the next view. */
  private final ExecutorService finalizer;
  /**
   * Committed blocks the finalizer has not yet written, by hash: block sync serves them meanwhile.
   * Their ids stay in {@link #uncommitted} until written, so that no proposal can carry them again.
   */
  private final Map<Hash, CertifiedBlock> committedUnwritten = new ConcurrentHashMap<>();
  /**
   * Received messages waiting for the consensus thread, at most {@link #MAX_QUEUED_MESSAGES}: beyond
   * that they are dropped, as a lossy network would, so that a validator flooding this node cannot
   * grow the queue without bound.
   */
  private final AtomicInteger queuedMessages = new AtomicInteger();
  private final AtomicLong droppedMessages = new AtomicLong();
  /** At most one tick waits on the consensus thread, however many admissions asked for one. */
  private final AtomicBoolean tickQueued = new AtomicBoolean();

  private record Pending(Hash parent, long height, Set<Hash> txIds, Set<Hash> bundleKeys) {}

  private OrderingContext context;
  private volatile NodeNetwork network;
  private ConsensusStore store;
  private ConsensusCore core;
  private volatile boolean closed;

  public BftOrdering(NodeConfig config, KeyPair key) {
    this.config = config;
    this.key = key;
    NodeConfig.Consensus settings = config.consensus();
    this.validators = ValidatorSet.of(settings.validators().stream()
        .map(v -> new ValidatorSet.Member(v.publicKey(), v.stake())).toList());
    for (ValidatorSet.Member member : validators.members()) {
      PeerId peer = PeerId.fromEd25519PublicKey(member.key().toBytes());
      validatorOfPeer.put(peer, member.key());
      peerOfValidator.put(member.key(), peer);
    }
    this.topic = "/tandem/" + config.chainId() + "/consensus/1";
    this.maxBlockBytes = Math.min(config.maxBlockBytes(), MAX_BLOCK_BYTES);
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread t = new Thread(runnable, "tandem-consensus");
      t.setDaemon(true);
      return t;
    });
    // Closing must not wait for view timers that are armed far ahead.
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.thread = executor;
    this.assembler = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), runnable -> {
      Thread t = new Thread(runnable, "tandem-proposal-assembler");
      t.setDaemon(true);
      return t;
    }, (task, pool) -> LOG.warn("dropping a compact proposal: too many waiting to be assembled"));
    this.fetchResponder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256),
        runnable -> {
          Thread t = new Thread(runnable, "tandem-proposal-fetch-responder");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.finalizer = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "tandem-consensus-finalizer");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Hash genesisParent() {
    return ConsensusCore.genesis(config.chainId()).block().hash();
  }

  @Override
  public void start(OrderingContext context) {
    this.context = context;
    this.network = context.network().orElseThrow(() ->
        new IllegalStateException("consensus needs the p2p network: set p2pListen and bootstrapPeers"));
    if (!validators.contains(key.publicKey())) {
      throw new IllegalStateException("this node's key " + key.publicKey() + " is not in consensus.validators");
    }
    this.store = ConsensusStore.open(config.dataDir().resolve("consensus"));
    CertifiedBlock tip = restoreTip();
    SafetyState safety = store.safety().orElse(ConsensusCore.initialSafety(config.chainId()));
    // The core restores the uncommitted blocks under its lock; their transactions are in flight.
    safety.lockedChain().forEach(certified -> track(certified.block()));
    long baseTimeout = config.consensus().baseTimeout().toMillis();
    ConsensusConfig consensusConfig = new ConsensusConfig(validators, key, config.chainId(), baseTimeout,
        config.maxBlockTxs(), Math.min(IDLE_BLOCK_INTERVAL_MILLIS, baseTimeout / 3));
    this.core = new ConsensusCore(consensusConfig, this::payload, this::validate, safety, tip, committedChain());
    network.subscribe(topic, this::onGossip);
    network.registerMessageHandler(DIRECT_PROTOCOL, (from, message) -> {
      PublicKey sender = validatorOfPeer.get(from);
      if (sender != null) {
        onDirect(sender, from, message);
      }
    });
    network.registerHandler(TX_FETCH_PROTOCOL, (from, request) -> {
      if (!validatorOfPeer.containsKey(from)) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("only validators fetch proposal transactions"));
      }
      // Off the network thread: the mempool lookup takes the mempool's lock.
      return CompletableFuture.supplyAsync(() -> answerTxFetch(request), fetchResponder);
    });
    LOG.info("consensus starting at height {} among {} validators (view {} last voted)", tip.height(),
        validators.size(), safety.lastVotedView());
    submit(() -> apply(core.start(now())));
    // An idle leader proposes an empty block only every IDLE_BLOCK_INTERVAL_MILLIS; the tick lets it.
    // The tick also refreshes what the metrics read, rather than every step doing so.
    thread.scheduleWithFixedDelay(() -> submit(() -> {
      apply(core.onTick(now()));
      statusView = core.currentView();
      statusHighQcView = core.safetyState().highQc().view();
      statusRetained = core.retainedMessages();
    }), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private CertifiedBlock restoreTip() {
    Optional<BlockHeader> last = context.lastFinalized();
    if (last.isEmpty()) {
      return ConsensusCore.genesis(config.chainId());
    }
    long height = last.get().height();
    Block block = context.finalizedBlock(height).orElseThrow();
    return new CertifiedBlock(block, finalizedCertificate(height).orElseThrow(() -> new IllegalStateException(
        "finalized block " + height + " has no stored quorum certificate; the consensus directory is damaged")));
  }

  private CommittedChain committedChain() {
    return hash -> Optional.ofNullable(committedUnwritten.get(hash))
        .or(() -> context.finalizedHeightOf(hash).stream().boxed().findFirst()
            .flatMap(height -> context.finalizedBlock(height)
                .flatMap(block -> finalizedCertificate(height).map(qc -> new CertifiedBlock(block, qc)))));
  }

  private ValidationResult onGossip(PeerId publisher, byte[] data) {
    PublicKey sender = validatorOfPeer.get(publisher);
    if (sender == null) {
      return ValidationResult.REJECT;
    }
    if (CompactProposal.isCompact(data)) {
      return receiveCompact(sender, publisher, data);
    }
    ConsensusMessage message;
    try {
      message = codec.decode(data);
    } catch (DecodingException | IllegalArgumentException e) {
      return ValidationResult.REJECT;
    }
    return enqueue(sender, () -> handle(sender, message)) ? ValidationResult.ACCEPT : ValidationResult.IGNORE;
  }

  /** A message sent to this node directly; decoded on the consensus thread, not the network's. */
  private void onDirect(PublicKey sender, PeerId from, byte[] data) {
    if (CompactProposal.isCompact(data)) {
      receiveCompact(sender, from, data);
      return;
    }
    enqueue(sender, () -> {
      ConsensusMessage message;
      try {
        message = codec.decode(data);
      } catch (DecodingException | IllegalArgumentException e) {
        LOG.debug("dropping undecodable consensus message from {}: {}", sender, e.getMessage());
        return;
      }
      handle(sender, message);
    });
  }

  private ValidationResult receiveCompact(PublicKey sender, PeerId publisher, byte[] data) {
    CompactProposal compact;
    try {
      compact = CompactProposal.decode(data, MAX_MESSAGE_BYTES);
    } catch (DecodingException | IllegalArgumentException e) {
      return ValidationResult.REJECT;
    }
    if (!closed) {
      assembler.execute(() -> assemble(sender, publisher, compact));
    }
    return ValidationResult.ACCEPT;
  }

  /**
   * On the consensus thread. A message's blocks are tracked before the core sees them (a proposal
   * this node builds in the same step may extend them) and forgotten again unless the core kept
   * them, so that a faulty validator's messages leave nothing behind.
   */
  private void handle(PublicKey sender, ConsensusMessage message) {
    remember(message);
    apply(core.onMessage(sender, message, now()));
    blocksOf(message).forEach(block -> forgetUnlessHeld(block.hash()));
  }

  /**
   * Rebuilds a compact proposal from this node's transactions, fetching the missing ones from the
   * proposer; if the result does not match the header (a transaction with the same id but another
   * signature), fetches all of them once more. A proposal that cannot be rebuilt is dropped: it then
   * costs this node its vote in that view, as a lost message would.
   */
  private void assemble(PublicKey sender, PeerId publisher, CompactProposal compact) {
    List<Hash> ids = compact.txIds();
    Transaction[] txs = new Transaction[ids.size()];
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      txs[i] = context.pendingTransaction(ids.get(i)).orElse(null);
      if (txs[i] == null) {
        missing.add(i);
      }
    }
    try {
      if (!missing.isEmpty() && !fetch(publisher, ids, missing, txs)) {
        return;
      }
      ConsensusMessage.Proposal proposal;
      try {
        proposal = compact.withTransactions(Arrays.asList(txs));
      } catch (DecodingException mismatch) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          all.add(i);
        }
        if (!fetch(publisher, ids, all, txs)) {
          return;
        }
        proposal = compact.withTransactions(Arrays.asList(txs));
      }
      ConsensusMessage.Proposal rebuilt = proposal;
      enqueue(sender, () -> handle(sender, rebuilt));
    } catch (DecodingException e) {
      LOG.debug("dropping compact proposal for view {} from {}: {}", compact.view(), sender, e.getMessage());
    }
  }

  /** Fills {@code txs} at {@code positions} from the proposer; false if it could not. */
  private boolean fetch(PeerId proposer, List<Hash> ids, List<Integer> positions, Transaction[] txs) {
    CanonicalWriter request = new CanonicalWriter(4 + positions.size() * Hash.LENGTH);
    request.u32(positions.size());
    positions.forEach(i -> request.hash(ids.get(i)));
    byte[] response;
    try {
      response = network.request(proposer, TX_FETCH_PROTOCOL, request.toByteArray(), DIRECT_TIMEOUT)
          .get(DIRECT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("fetching {} proposal transactions from {} failed: {}", positions.size(), proposer, e.toString());
      return false;
    }
    CanonicalReader reader = new CanonicalReader(response);
    int count = reader.count(positions.size(), "fetched transaction");
    if (count != positions.size()) {
      throw new DecodingException("asked for " + positions.size() + " transactions, got " + count);
    }
    for (int position : positions) {
      if (reader.u8("present") == 1) {
        txs[position] = Transaction.read(reader);
        fetchedTransactions.incrementAndGet();
      } else if (txs[position] == null) {
        LOG.debug("proposer {} no longer has transaction {}", proposer, ids.get(position));
        return false;
      }
    }
    reader.end();
    return true;
  }

  /** Answers a transaction fetch from this node's mempool and pending bundles. */
  private byte[] answerTxFetch(byte[] request) {
    CanonicalReader reader = new CanonicalReader(request);
    int count = reader.count(Block.MAX_TRANSACTIONS, "requested id");
    List<Optional<Transaction>> found = new ArrayList<>(count);
    int size = 4;
    for (int i = 0; i < count; i++) {
      Optional<Transaction> tx = context.pendingTransaction(reader.hash("transaction id"));
      found.add(tx);
      size += 1 + tx.map(Transaction::encodedLength).orElse(0);
    }
    reader.end();
    CanonicalWriter writer = new CanonicalWriter(size);
    writer.u32(count);
    for (Optional<Transaction> tx : found) {
      writer.u8(tx.isPresent() ? 1 : 0);
      tx.ifPresent(value -> value.writeTo(writer));
    }
    return writer.toByteArray();
  }

  /** Queues a received message's handling on the consensus thread; false if the queue is full and it was dropped. */
  private boolean enqueue(PublicKey sender, Runnable handling) {
    if (queuedMessages.incrementAndGet() > MAX_QUEUED_MESSAGES) {
      queuedMessages.decrementAndGet();
      if (droppedMessages.getAndIncrement() % 1000 == 0) {
        LOG.warn("the consensus thread is {} messages behind; dropping a message from {} ({} dropped so far). A"
            + " validator may be flooding this node, or the node is overloaded", MAX_QUEUED_MESSAGES, sender,
            droppedMessages.get());
      }
      return false;
    }
    submit(() -> {
      queuedMessages.decrementAndGet();
      handling.run();
    });
    return true;
  }

  /** Runs on the consensus thread; never throws out of it. */
  private void submit(Runnable task) {
    if (closed) {
      return;
    }
    try {
      thread.execute(() -> {
        if (closed) {
          return;
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("consensus step failed; the node keeps running but may stall: {}", e.toString(), e);
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      // closing
    }
  }

  /**
   * Persist, then commit, then send: the order the core's Output demands; a proposal the core lets
   * lead goes out first, so that replicas verify it while this node's vote is being synced.
   */
  private void apply(Output output) {
    ConsensusMessage leading = output.leadingProposal().orElse(null);
    if (leading != null) {
      broadcast(leading);
    }
    if (output.safetyStateToPersist() != null) {
      store.saveSafety(output.safetyStateToPersist());
    }
    for (Equivocation evidence : output.evidence()) {
      store.saveEvidence(evidence);
      equivocationsRecorded.incrementAndGet();
      LOG.warn("validator {} signed two different blocks for view {} (equivocation); the evidence is kept in the "
          + "consensus store and served by tandem_getEquivocations, and is grounds for slashing", evidence.leader(),
          evidence.view());
    }
    for (CertifiedBlock committed : output.committed()) {
      committedUnwritten.put(committed.block().hash(), committed);
      finalizer.execute(() -> writeCommitted(committed));
    }
    for (ConsensusMessage message : output.broadcast()) {
      if (message != leading) {
        broadcast(message);
      }
    }
    for (Output.Directed directed : output.direct()) {
      PeerId peer = peerOfValidator.get(directed.to());
      if (peer == null) {
        continue;
      }
      // A response carries the requested blocks that fit one message; the asker asks again for the rest.
      byte[] encoded = directed.message() instanceof ConsensusMessage.BlockResponse response
          ? codec.encodeFitting(response) : codec.encode(directed.message());
      // A block request for a validator this node cannot reach directly goes out on gossip;
      // the others ignore what is not theirs. Block responses are too large for gossip: the asker retries.
      if (!sendDirect(peer, encoded) && !(directed.message() instanceof ConsensusMessage.BlockResponse)) {
        network.broadcast(topic, encoded);
      }
    }
    output.timer().ifPresent(timer -> {
      long delay = Math.max(0, timer.fireAtMillis() - now());
      if (!closed) {
        thread.schedule(() -> submit(() -> onTimer(timer.view())), delay, TimeUnit.MILLISECONDS);
      }
    });
    if (output.proposeAgain()) {
      tickSoon();
    }
  }

  /**
   * On the finalizer thread: the block and its QC in one write, so that a restarted node can always
   * prove its tip. A crash before the write loses only blocks the quorum already committed; the
   * restarted node syncs them from its peers.
   */
  private void writeCommitted(CertifiedBlock committed) {
    if (closed) {
      return;
    }
    try {
      context.finalize(committed.block(), committed.qc().encode());
    } catch (RuntimeException e) {
      LOG.error("writing finalized block {} failed; this node stops finalizing until it restarts: {}",
          committed.height(), e.toString(), e);
      return;
    }
    submit(() -> {
      forgetUpTo(committed.height());
      committedUnwritten.remove(committed.block().hash());
    });
  }

  private void broadcast(ConsensusMessage message) {
    remember(message);
    if (message instanceof ConsensusMessage.Proposal proposal && config.consensus().compactProposals()) {
      sendToAll(CompactProposal.of(proposal).encode());
    } else {
      sendToAll(codec.encode(message));
    }
  }

  /**
   * Sends a message to every other validator over its direct stream: the gossip router also checks
   * every transaction batch, and a proposal queued behind those would hold up the view. Only when it
   * cannot reach some validator directly does the message also go out on the gossip topic, which
   * other peers relay to it; receivers drop the second copy.
   */
  private void sendToAll(byte[] message) {
    boolean everyoneDirect = true;
    for (PeerId peer : peerOfValidator.values()) {
      if (!peer.equals(network.localPeer())) {
        everyoneDirect &= sendDirect(peer, message);
      }
    }
    if (!everyoneDirect) {
      network.broadcast(topic, message);
    }
  }

  private boolean sendDirect(PeerId peer, byte[] message) {
    boolean sent = network.send(peer, DIRECT_PROTOCOL, message);
    if (!sent) {
      LOG.debug("consensus message to {} could not be sent directly (not connected, or its stream is backed up)", peer);
    }
    return sent;
  }

  private void onTimer(long view) {
    if (view == core.currentView()) {
      viewTimeouts.incrementAndGet();
      LOG.info("view {} timed out without progress (high QC view {}, committed height {}, {} peers)", view,
          core.safetyState().highQc().view(), core.committedTip().height(), network.connectedPeers().size());
    }
    apply(core.onTimer(view, now()));
  }

  private void remember(ConsensusMessage message) {
    blocksOf(message).forEach(this::track);
  }

  private static List<Block> blocksOf(ConsensusMessage message) {
    if (message instanceof ConsensusMessage.Proposal proposal) {
      return List.of(proposal.block());
    }
    if (message instanceof ConsensusMessage.BlockResponse response) {
      return response.blocks().stream().map(CertifiedBlock::block).toList();
    }
    return List.of();
  }

  /** Drops a tracked block that neither the core holds nor the finalizer still has to write. */
  private void forgetUnlessHeld(Hash block) {
    if (!core.holds(block) && !committedUnwritten.containsKey(block)) {
      uncommitted.remove(block);
    }
  }

  private void track(Block block) {
    Optional<BlockHeader> tip = context.lastFinalized();
    if (tip.isPresent() && block.height() <= tip.get().height()) {
      return;
    }
    Set<Hash> ids = new HashSet<>();
    Set<Hash> bundleKeys = new HashSet<>();
    for (Transaction tx : block.transactions()) {
      ids.add(tx.id());
      if (tx.namespace().equals(Namespace.SYSTEM)) {
        try {
          bundleKeys.add(SignedManifest.parse(tx).bundleKey());
        } catch (DecodingException invalid) {
          // the block is invalid and will not be voted for; nothing to track
        }
      }
    }
    uncommitted.put(block.hash(), new Pending(block.header().parentHash(), block.height(), ids, bundleKeys));
  }

  /** Forgets written blocks, and blocks the core dropped meanwhile (set aside, then never accepted). */
  private void forgetUpTo(long height) {
    uncommitted.values().removeIf(pending -> pending.height() <= height);
    new ArrayList<>(uncommitted.keySet()).forEach(this::forgetUnlessHeld);
  }

  /** What the uncommitted ancestors of a block already carry: transaction ids and bundle keys. */
  private record InFlight(Set<Hash> txIds, Set<Hash> bundleKeys) {}

  /** The transactions and bundles in the uncommitted ancestors of {@code parent}, parent included. */
  private InFlight inFlight(Hash parent) {
    Set<Hash> ids = new HashSet<>();
    Set<Hash> keys = new HashSet<>();
    Hash cursor = parent;
    for (Pending pending = uncommitted.get(cursor); pending != null; pending = uncommitted.get(cursor)) {
      ids.addAll(pending.txIds());
      keys.addAll(pending.bundleKeys());
      cursor = pending.parent();
    }
    return new InFlight(ids, keys);
  }

  private List<Transaction> payload(BlockHeader parent, long timestampMillis, int maxTxs) {
    InFlight ancestors = inFlight(parent.hash());
    return context.propose(parent.height() + 1, timestampMillis, maxTxs, maxBlockBytes, ancestors.txIds(),
        ancestors.bundleKeys());
  }

  /** The rules a node votes by ({@link BlockValidity}), with the block's uncommitted ancestors. */
  private Verification validate(Block block) {
    InFlight ancestors = inFlight(block.header().parentHash());
    return BlockValidity.check(block, config.chainId(), maxBlockBytes, ancestors.txIds(), ancestors.bundleKeys(),
        context);
  }

  @Override
  public void onAdmitted(Transaction tx) {
    // An idle leader proposes as soon as it has something to order, without waiting for the tick.
    tickSoon();
  }

  @Override
  public void onBundlePending() {
    tickSoon();
  }

  private void tickSoon() {
    if (tickQueued.compareAndSet(false, true)) {
      submit(() -> {
        tickQueued.set(false);
        apply(core.onTick(now()));
      });
    }
  }

  /**
   * A finalized block carries a QC: the validators that signed it hold it and serve it by block
   * sync. Not so when this validator's own stake is a quorum (the only validator, or more than 2/3
   * of the stake): its QCs may need no one else, and its log may be the only copy.
   */
  @Override
  public boolean finalizedBlocksRecoverable() {
    return !validators.isQuorum(validators.stakeOf(key.publicKey()));
  }

  @Override
  public List<Equivocation> equivocations() {
    return store == null ? List.of() : store.evidence();
  }

  @Override
  public Optional<ConsensusStatus> consensusStatus() {
    NodeNetwork net = network;
    if (net == null) {
      return Optional.empty();
    }
    Set<PeerId> connected = new HashSet<>(net.connectedPeers());
    int others = 0;
    int reachable = 0;
    for (PeerId peer : peerOfValidator.values()) {
      if (!peer.equals(net.localPeer())) {
        others++;
        if (connected.contains(peer)) {
          reachable++;
        }
      }
    }
    return Optional.of(new ConsensusStatus(statusView, statusHighQcView, viewTimeouts.get(),
        equivocationsRecorded.get(), statusRetained, reachable, others));
  }

  @Override
  public long droppedMessages() {
    return droppedMessages.get();
  }

  /** How many blocks the shell tracks as uncommitted or unwritten (read on the consensus thread; for tests). */
  int trackedBlocks() throws Exception {
    return thread.submit(uncommitted::size).get(30, TimeUnit.SECONDS);
  }

  /** How many transactions of compact proposals this node had to fetch from proposers. */
  public long fetchedTransactions() {
    return fetchedTransactions.get();
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Override
  public void close() {
    closed = true;
    assembler.shutdownNow();
    fetchResponder.shutdownNow();
    // The consensus thread first: a step still running may hand the finalizer a committed block.
    // Then the finalizer: a block write under way finishes before the store closes.
    stop(thread);
    stop(finalizer);
    if (store != null) {
      store.close();
    }
  }

  private static void stop(ExecutorService executor) {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The stored QC of a finalized height; empty before {@link #start} and after {@link #close}. */
  @Override
  public Optional<dev.tandem.bft.quorum.QuorumCertificate> certificate(long height) {
    return store == null || closed ? Optional.empty() : finalizedCertificate(height);
  }

  /**
   * The QC kept with a finalized block in the log; blocks finalized before certificates moved into
   * the log have theirs in the consensus store.
   */
  private Optional<dev.tandem.bft.quorum.QuorumCertificate> finalizedCertificate(long height) {
    Optional<byte[]> kept = context.finalizedCertificate(height);
    return kept.isPresent() ? kept.map(dev.tandem.bft.quorum.QuorumCertificate::decode) : store.certificate(height);
  }
}
