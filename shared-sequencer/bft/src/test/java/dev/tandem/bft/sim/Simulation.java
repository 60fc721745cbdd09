package dev.tandem.bft.sim;

import dev.tandem.bft.CertifiedBlock;
import dev.tandem.bft.CommittedChain;
import dev.tandem.bft.ConsensusCodec;
import dev.tandem.bft.ConsensusConfig;
import dev.tandem.bft.ConsensusCore;
import dev.tandem.bft.ConsensusMessage;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.ConsensusMessage.VoteMessage;
import dev.tandem.bft.Equivocation;
import dev.tandem.bft.Output;
import dev.tandem.bft.SafetyState;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleRules;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.bundles.ProposalBuilder;
import dev.tandem.core.Block;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Many consensus cores in one thread: a seeded scheduler over a simulated clock, an in-memory
 * router (delay, drop, duplicate, reorder, partitions before GST), crashes with restart from the
 * persisted state, and Byzantine behaviours. Checks the invariants after every event and throws
 * {@link InvariantViolation} naming the seed.
 */
final class Simulation {
  static final long CHAIN_ID = 901;
  static final long BASE_TIMEOUT = 400;

  /** SPLIT_BUNDLE: a leader that adds part of an atomic bundle (a manifest and only its first leg) to its proposals. */
  enum Byzantine { NONE, EQUIVOCATE, WITHHOLD_VOTES, GARBAGE, TWIN, SPLIT_BUNDLE, FLOOD }

  /**
   * What one run looks like. {@code twinsSplitBrain} splits nodes by {@code side} for the whole run;
   * {@code bundleRules} false makes honest validators skip the bundle validity rule (only to prove
   * that the no-split checker detects a split). With {@code dominantValidator} the last validator
   * (always honest) holds more than 2/3 of the stake, so its own vote is a quorum; otherwise stakes
   * are equal.
   */
  record Scenario(long seed, int n, int byzantineCount, Byzantine behaviour, long gstMillis, boolean crashes,
      boolean twinsSplitBrain, boolean bundleRules, boolean dominantValidator) {
    Scenario(long seed, int n, int byzantineCount, Byzantine behaviour, long gstMillis, boolean crashes,
        boolean twinsSplitBrain, boolean bundleRules) {
      this(seed, n, byzantineCount, behaviour, gstMillis, crashes, twinsSplitBrain, bundleRules, false);
    }

    Scenario(long seed, int n, int byzantineCount, Byzantine behaviour, long gstMillis, boolean crashes,
        boolean twinsSplitBrain) {
      this(seed, n, byzantineCount, behaviour, gstMillis, crashes, twinsSplitBrain, true);
    }
  }

  static final class InvariantViolation extends AssertionError {
    InvariantViolation(String message) {
      super(message);
    }
  }

  private static final class Node {
    final int id;
    final KeyPair key;
    final boolean honest;
    final Byzantine behaviour;
    int side;
    ConsensusCore core;
    boolean up = true;
    int incarnation;
    /** A TICK is scheduled for this incarnation (one at a time, as the node's shell queues one). */
    boolean tickScheduled;
    // The node's "disk": survives crashes.
    SafetyState persisted;
    final List<CertifiedBlock> log = new ArrayList<>();
    final Map<Hash, CertifiedBlock> logByHash = new HashMap<>();
    /** Bundle keys its committed log records ("disk"), and those of blocks it validated (memory): the validity index. */
    final Set<Hash> committedBundleKeys = new HashSet<>();
    final Map<Hash, Seen> seenBlocks = new HashMap<>();
    /** The checker's own record of complete bundles in this node's log. */
    final Set<Hash> checkedBundleKeys = new HashSet<>();

    Node(int id, KeyPair key, boolean honest, Byzantine behaviour) {
      this.id = id;
      this.key = key;
      this.honest = honest;
      this.behaviour = behaviour;
    }

    long height() {
      return log.isEmpty() ? 0 : log.get(log.size() - 1).height();
    }
  }

  private record Seen(Hash parent, Set<Hash> bundleKeys) {}

  private record Event(long time, long seq, int node, int kind, PublicKey from, byte[] bytes, long view,
      int incarnation) {}

  private static final int DELIVER = 0;
  private static final int TIMER = 1;
  private static final int CRASH = 2;
  private static final int RESTART = 3;
  private static final int GARBAGE_TICK = 4;
  private static final int FLOOD_TICK = 5;
  private static final int TICK = 6;

  private final Scenario scenario;
  private final Random random;
  private final ValidatorSet validators;
  private final List<Node> nodes = new ArrayList<>();
  private final ConsensusCodec codec = new ConsensusCodec(1 << 20);
  private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
      ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  private final Map<Long, Hash> honestCommits = new HashMap<>();
  private final List<Transaction> txPool = new ArrayList<>();
  private final List<Bundle> bundles = new ArrayList<>();
  private final Map<Hash, Bundle> bundleOfTx = new HashMap<>();
  private final List<byte[]> seenMessages = new ArrayList<>();
  private long seq;
  private long now;
  long events;
  /** Counters for the run summary: crashes, undecodable deliveries, block sync responses, timeouts sent. */
  long crashes;
  long rejectedBytes;
  long syncResponses;
  long timeoutsSent;
  long bundlesCommitted;
  long equivocationsDetected;
  /** Proposals sent before their leader's safety write (Output.proposalMayLead), and crashes right after one. */
  long leadingProposalsSent;
  long crashesAfterLeadingProposal;
  /** Outputs that asked to propose again at once (Output.proposeAgain). */
  long proposeAgainTicks;
  /** Crashes that also lost the node's last logged block (a validator's block commit is not synced). */
  long logBlocksLost;
  /** Restarts from a log whose tip's QC is newer than the persisted high QC (that write was still waiting). */
  long restartsWithLogAhead;

  Simulation(Scenario scenario) {
    this.scenario = scenario;
    this.random = new Random(scenario.seed());
    Random keys = new Random(scenario.seed() * 31 + 7);
    List<KeyPair> pairs = new ArrayList<>();
    List<PublicKey> publics = new ArrayList<>();
    for (int i = 0; i < scenario.n(); i++) {
      KeyPair key = KeyPair.generate(keys);
      pairs.add(key);
      publics.add(key.publicKey());
    }
    List<ValidatorSet.Member> members = new ArrayList<>();
    for (int i = 0; i < publics.size(); i++) {
      boolean dominant = scenario.dominantValidator() && i == publics.size() - 1;
      members.add(new ValidatorSet.Member(publics.get(i), dominant ? 3L * publics.size() : 1));
    }
    validators = ValidatorSet.of(members);
    KeyPair txKey = KeyPair.generate(keys);
    for (int i = 0; i < 8; i++) {
      txPool.add(Transaction.sign(CHAIN_ID, Namespace.of(1 + i % 3), i, 1, new byte[] {(byte) i}, txKey));
    }
    // Atomic bundles with two or three legs across the namespaces; some windows close early.
    Random bundleRandom = new Random(scenario.seed() * 17 + 3);
    for (int b = 0; b < 12; b++) {
      KeyPair legKey = KeyPair.generate(bundleRandom);
      long latest = b % 4 == 0 ? 3 + bundleRandom.nextInt(6) : 10_000;
      BundleBuilder builder = BundleBuilder.create(CHAIN_ID, txKey, bundleRandom)
          .window(BundleWindow.heights(1 + bundleRandom.nextInt(3), latest)).manifestFee(b);
      int legs = 2 + bundleRandom.nextInt(2);
      for (int l = 0; l < legs; l++) {
        builder.addLeg(Namespace.of(1 + bundleRandom.nextInt(3)), new byte[] {(byte) b, (byte) l}, legKey, l, 1);
      }
      Bundle bundle = builder.build();
      bundles.add(bundle);
      bundle.transactions().forEach(tx -> bundleOfTx.put(tx.id(), bundle));
    }
    for (int i = 0; i < scenario.n(); i++) {
      boolean byzantine = i < scenario.byzantineCount();
      Byzantine behaviour = byzantine ? scenario.behaviour() : Byzantine.NONE;
      nodes.add(new Node(nodes.size(), pairs.get(i), !byzantine, behaviour));
      if (behaviour == Byzantine.TWIN) {
        nodes.add(new Node(nodes.size(), pairs.get(i), false, behaviour));
      }
    }
    if (scenario.twinsSplitBrain()) {
      // Twins of f+1 validators: each side gets one instance of every twin and half the rest.
      Map<PublicKey, Integer> seen = new HashMap<>();
      int honestIndex = 0;
      for (Node node : nodes) {
        if (node.behaviour == Byzantine.TWIN) {
          node.side = seen.merge(node.key.publicKey(), 1, Integer::sum) - 1;
        } else {
          node.side = honestIndex++ % 2;
        }
      }
    }
    for (Node node : nodes) {
      node.persisted = ConsensusCore.initialSafety(CHAIN_ID);
      node.core = newCore(node);
    }
  }

  private ConsensusCore newCore(Node node) {
    ConsensusConfig config = new ConsensusConfig(validators, node.key, CHAIN_ID, BASE_TIMEOUT, 4);
    CertifiedBlock tip = node.log.isEmpty() ? ConsensusCore.genesis(CHAIN_ID) : node.log.get(node.log.size() - 1);
    CommittedChain chain = hash -> Optional.ofNullable(node.logByHash.get(hash));
    return new ConsensusCore(config, (parent, timestamp, max) -> {
      int start = (int) (parent.height() % txPool.size());
      List<Transaction> plain = List.of(txPool.get(start), txPool.get((start + 3) % txPool.size()));
      // Every pool holds every bundle; the builder keeps each whole and skips those already included.
      return ProposalBuilder.build(plain, bundles, new ProposalBuilder.Limits(max, 1 << 20), parent.height() + 1,
          timestamp, key -> isIncluded(node, parent.hash(), key)).order();
    }, block -> validateBlock(node, block), node.persisted, tip, chain);
  }

  private Verification validateBlock(Node node, Block block) {
    for (Transaction tx : block.transactions()) {
      if (tx.chainId() != CHAIN_ID) {
        return Verification.failed("transaction for another chain");
      }
    }
    if (scenario.bundleRules()) {
      Verification bundleRules = BundleRules.checkBlock(block,
          key -> isIncluded(node, block.header().parentHash(), key));
      if (!bundleRules.valid()) {
        return bundleRules;
      }
    }
    return Verification.OK;
  }

  /**
   * What the node's shell does with every block it sees (proposals, synced blocks, its restored
   * locked chain): remembers its parent and bundle keys, so the validity rule knows what the
   * uncommitted ancestors of a new block already include.
   */
  private static void remember(Node node, ConsensusMessage message) {
    if (message instanceof Proposal proposal) {
      remember(node, proposal.block());
    } else if (message instanceof ConsensusMessage.BlockResponse response) {
      response.blocks().forEach(certified -> remember(node, certified.block()));
    }
  }

  private static void remember(Node node, Block block) {
    Set<Hash> keys = new HashSet<>();
    try {
      BundleRules.manifests(block).forEach(manifest -> keys.add(manifest.bundleKey()));
    } catch (DecodingException invalid) {
      return; // an invalid block is never voted for
    }
    node.seenBlocks.put(block.hash(), new Seen(block.header().parentHash(), keys));
  }

  /** Whether {@code key} is recorded by {@code parent} or its ancestors, as {@code node} knows them. */
  private static boolean isIncluded(Node node, Hash parent, Hash key) {
    if (node.committedBundleKeys.contains(key)) {
      return true;
    }
    Hash cursor = parent;
    for (Seen seen = node.seenBlocks.get(cursor); seen != null; seen = node.seenBlocks.get(cursor)) {
      if (seen.bundleKeys().contains(key)) {
        return true;
      }
      cursor = seen.parent();
    }
    return false;
  }

  /** Runs until every honest node committed {@code targetCommitsAfterGst} new blocks after GST or {@code maxMillis} passes. */
  Result run(int targetCommitsAfterGst, long maxMillis) {
    for (Node node : nodes) {
      apply(node, node.core.start(0));
      if (node.behaviour == Byzantine.GARBAGE) {
        schedule(50, node.id, GARBAGE_TICK, null, null, 0);
      }
      if (node.behaviour == Byzantine.FLOOD) {
        schedule(50, node.id, FLOOD_TICK, null, null, 0);
      }
    }
    if (scenario.crashes()) {
      for (Node node : nodes) {
        if (node.honest && random.nextInt(3) == 0) {
          long at = 1 + random.nextInt((int) Math.max(1, scenario.gstMillis() - 500));
          schedule(at, node.id, CRASH, null, null, 0);
          schedule(Math.min(scenario.gstMillis(), at + 100 + random.nextInt(800)), node.id, RESTART, null, null, 0);
        }
      }
    }
    Map<Integer, Long> heightAtGst = null;
    while (!queue.isEmpty()) {
      Event event = queue.poll();
      now = event.time;
      if (now > maxMillis) {
        break;
      }
      if (heightAtGst == null && now >= scenario.gstMillis()) {
        heightAtGst = new HashMap<>();
        for (Node node : nodes) {
          heightAtGst.put(node.id, node.height());
        }
      }
      process(event);
      events++;
      if (heightAtGst != null && progressed(heightAtGst, targetCommitsAfterGst)) {
        return new Result(true, now, minHonestHeight());
      }
    }
    return new Result(false, now, minHonestHeight());
  }

  record Result(boolean progressed, long endMillis, long minHonestHeight) {}

  private boolean progressed(Map<Integer, Long> heightAtGst, int target) {
    for (Node node : nodes) {
      if (node.honest && node.height() < heightAtGst.get(node.id) + target) {
        return false;
      }
    }
    return true;
  }

  long minHonestHeight() {
    long min = Long.MAX_VALUE;
    for (Node node : nodes) {
      if (node.honest) {
        min = Math.min(min, node.height());
      }
    }
    return min;
  }

  private void process(Event event) {
    Node node = nodes.get(event.node);
    switch (event.kind) {
      case DELIVER -> {
        if (!node.up) {
          return;
        }
        ConsensusMessage message;
        try {
          message = codec.decode(event.bytes);
        } catch (DecodingException e) {
          rejectedBytes++;
          return;
        }
        remember(node, message);
        apply(node, node.core.onMessage(event.from, message, now));
      }
      case TIMER -> {
        if (node.up && event.incarnation == node.incarnation) {
          apply(node, node.core.onTimer(event.view, now));
        }
      }
      case TICK -> {
        if (node.up && event.incarnation == node.incarnation) {
          node.tickScheduled = false;
          apply(node, node.core.onTick(now));
        }
      }
      case CRASH -> crash(node);
      case RESTART -> {
        if (!node.up) {
          node.up = true;
          node.persisted.lockedChain().forEach(certified -> remember(node, certified.block()));
          if (!node.log.isEmpty() && node.log.get(node.log.size() - 1).qc().view() > node.persisted.highQc().view()) {
            restartsWithLogAhead++;
          }
          node.core = newCore(node);
          apply(node, node.core.start(now));
        }
      }
      case GARBAGE_TICK -> {
        sendGarbage(node);
        if (now < scenario.gstMillis() * 2) {
          schedule(now + 20 + random.nextInt(200), node.id, GARBAGE_TICK, null, null, 0);
        }
      }
      case FLOOD_TICK -> {
        sendFlood(node);
        if (now < scenario.gstMillis() * 2) {
          schedule(now + 20 + random.nextInt(200), node.id, FLOOD_TICK, null, null, 0);
        }
      }
      default -> throw new IllegalStateException("unknown event");
    }
  }

  /**
   * The node stops and loses what was not on disk. One crash in three also loses the last block of
   * its log, as a machine crash can: a validator's block commit skips the sync that would make it
   * durable, since the quorum that finalized the block serves it again by block sync.
   */
  private void crash(Node node) {
    if (node.up) {
      node.up = false;
      crashes++;
      node.incarnation++;
      node.tickScheduled = false;
      node.core = null;
      node.seenBlocks.clear();
      // The shell syncs a block write only when no quorum holds the block beside this node: when its
      // own stake is a quorum (BftOrdering.finalizedBlocksRecoverable).
      boolean blocksRecoverable = !validators.isQuorum(validators.stakeOf(node.key.publicKey()));
      if (blocksRecoverable && !node.log.isEmpty() && random.nextInt(3) == 0) {
        CertifiedBlock lost = node.log.remove(node.log.size() - 1);
        node.logByHash.remove(lost.block().hash());
        BundleRules.manifests(lost.block()).forEach(m -> {
          node.committedBundleKeys.remove(m.bundleKey());
          node.checkedBundleKeys.remove(m.bundleKey());
        });
        logBlocksLost++;
      }
    }
  }

  /**
   * The shell: send a proposal the core lets lead, persist, append commits, check invariants, then
   * send the rest. A crash may strike after the leading proposal left and before anything was
   * persisted, or after persisting and before the rest left.
   */
  private void apply(Node node, Output output) {
    if (node.honest && node.core.retainedMessages() > ConsensusCore.maxRetainedMessages(nodes.size())) {
      fail("node " + node.id + " retains " + node.core.retainedMessages() + " votes, timeouts and proposals, more"
          + " than the bound " + ConsensusCore.maxRetainedMessages(nodes.size()));
    }
    ConsensusMessage leading = output.leadingProposal().orElse(null);
    if (leading != null) {
      broadcast(node, leading);
      leadingProposalsSent++;
      if (crashHere(node, 50)) {
        crashesAfterLeadingProposal++;
        return;
      }
    }
    if (output.safetyStateToPersist() != null) {
      node.persisted = output.safetyStateToPersist();
    }
    for (Equivocation evidence : output.evidence()) {
      if (!evidence.verify(CHAIN_ID, validators).valid()) {
        fail("node " + node.id + " reported evidence that does not verify: " + evidence.verify(CHAIN_ID, validators));
      }
      boolean accusedHonest = nodes.stream().anyMatch(n -> n.honest && n.key.publicKey().equals(evidence.leader()));
      if (accusedHonest) {
        fail("node " + node.id + " holds valid evidence that honest validator " + evidence.leader()
            + " equivocated in view " + evidence.view());
      }
      if (node.honest) {
        equivocationsDetected++;
      }
    }
    for (CertifiedBlock committed : output.committed()) {
      checkCommit(node, committed);
      node.log.add(committed);
      node.logByHash.put(committed.block().hash(), committed);
      BundleRules.manifests(committed.block()).forEach(m -> node.committedBundleKeys.add(m.bundleKey()));
    }
    // Crash after persisting, before sending: the output's messages are lost.
    if (crashHere(node, 500)) {
      return;
    }
    for (ConsensusMessage message : output.broadcast()) {
      if (message != leading) {
        broadcast(node, message);
      }
    }
    for (Output.Directed directed : output.direct()) {
      if (directed.message() instanceof ConsensusMessage.BlockResponse) {
        syncResponses++;
      }
      if (node.behaviour == Byzantine.WITHHOLD_VOTES && directed.message() instanceof VoteMessage) {
        continue;
      }
      byte[] bytes = codec.encode(directed.message());
      for (Node peer : nodes) {
        if (peer != node && peer.key.publicKey().equals(directed.to())) {
          send(node, peer, bytes);
        }
      }
    }
    output.timer().ifPresent(timer -> schedule(Math.max(now, timer.fireAtMillis()), node.id, TIMER, null, null,
        timer.view()));
    if (output.proposeAgain() && !node.tickScheduled) {
      // A millisecond later: without idle pacing a lone validator would otherwise chain blocks forever at one instant.
      node.tickScheduled = true;
      schedule(now + 1, node.id, TICK, null, null, 0);
      proposeAgainTicks++;
    }
  }

  /** Before GST, one time in {@code oneIn}, crashes an honest node here and schedules its restart. */
  private boolean crashHere(Node node, int oneIn) {
    if (scenario.crashes() && node.honest && now < scenario.gstMillis() - 1000 && random.nextInt(oneIn) == 0) {
      crash(node);
      schedule(now + 200 + random.nextInt(300), node.id, RESTART, null, null, 0);
      return true;
    }
    return false;
  }

  private void broadcast(Node node, ConsensusMessage message) {
    remember(node, message);
    if (message instanceof ConsensusMessage.Timeout) {
      timeoutsSent++;
    }
    if (node.behaviour == Byzantine.WITHHOLD_VOTES && message instanceof VoteMessage) {
      return;
    }
    if (node.behaviour == Byzantine.EQUIVOCATE && message instanceof Proposal p) {
      equivocate(node, p);
      return;
    }
    if (node.behaviour == Byzantine.SPLIT_BUNDLE && message instanceof Proposal p) {
      message = splitBundle(node, p);
    }
    byte[] bytes = codec.encode(message);
    for (Node peer : nodes) {
      if (peer != node) {
        send(node, peer, bytes);
      }
    }
  }

  /** Sends one proposal to half the peers and a conflicting block with the same justification to the rest. */
  private void equivocate(Node node, Proposal p) {
    Block original = p.block();
    Block other = Block.build(CHAIN_ID, original.height(), original.header().parentHash(),
        original.header().timestampMillis() + 1, node.key.publicKey(), List.of(txPool.get(random.nextInt(8))));
    byte[] a = codec.encode(p);
    byte[] b = codec.encode(Proposal.sign(node.key, CHAIN_ID, p.view(), other, p.justify(), p.tc()));
    for (Node peer : nodes) {
      if (peer != node) {
        send(node, peer, random.nextBoolean() ? a : b);
      }
    }
  }

  /** The same proposal with a manifest and only the first of its bundle's legs added: a split bundle. */
  private Proposal splitBundle(Node node, Proposal p) {
    Block original = p.block();
    Bundle victim = bundles.get(random.nextInt(bundles.size()));
    List<Transaction> txs = new ArrayList<>(original.transactions());
    if (txs.stream().noneMatch(tx -> bundleOfTx.containsKey(tx.id()))) {
      // Stay within the block limit, so that only the split makes the block invalid.
      txs = new ArrayList<>(txs.subList(0, Math.min(txs.size(), 2)));
      txs.add(victim.manifestTransaction());
      txs.add(victim.legs().get(0));
    } else {
      // The proposal already carries bundles: drop one leg of one of them instead.
      txs.removeIf(tx -> tx.isBundleLeg() && bundleOfTx.get(tx.id()).legs().get(0).id().equals(tx.id()));
    }
    Block split = Block.build(CHAIN_ID, original.height(), original.header().parentHash(),
        original.header().timestampMillis(), node.key.publicKey(), txs);
    return Proposal.sign(node.key, CHAIN_ID, p.view(), split, p.justify(), p.tc());
  }

  private void sendGarbage(Node node) {
    Node peer = nodes.get(random.nextInt(nodes.size()));
    byte[] bytes;
    if (!seenMessages.isEmpty() && random.nextBoolean()) {
      bytes = seenMessages.get(random.nextInt(seenMessages.size())).clone();
      int flips = 1 + random.nextInt(3);
      for (int i = 0; i < flips; i++) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      }
    } else {
      bytes = new byte[random.nextInt(300)];
      random.nextBytes(bytes);
      if (bytes.length > 0) {
        bytes[0] = (byte) (1 + random.nextInt(5));
      }
    }
    send(node, peer, bytes);
  }

  /**
   * Well-signed messages no honest validator sends, for views far ahead: votes, timeouts and
   * proposals. Honest nodes must drop them without keeping state for them.
   */
  private void sendFlood(Node node) {
    long base = node.up ? node.core.currentView() : 1;
    QuorumCertificate genesisQc = ConsensusCore.genesis(CHAIN_ID).qc();
    for (int i = 0; i < 8; i++) {
      long view = base + 65 + random.nextInt(1_000_000);
      byte[] filler = new byte[32];
      random.nextBytes(filler);
      Hash hash = Hash.of(filler);
      List<ConsensusMessage> flood = List.of(
          new VoteMessage(Vote.sign(node.key, CHAIN_ID, view, view, hash, view - 1)),
          new ConsensusMessage.Timeout(view, genesisQc, Optional.empty(),
              TimeoutCertificate.sign(node.key, CHAIN_ID, view, 0).signature()),
          Proposal.sign(node.key, CHAIN_ID, view, Block.build(CHAIN_ID, view, hash, now, node.key.publicKey(),
              List.of()), genesisQc, Optional.empty()));
      for (ConsensusMessage message : flood) {
        byte[] bytes = codec.encode(message);
        for (Node peer : nodes) {
          if (peer != node) {
            send(node, peer, bytes);
          }
        }
      }
    }
  }

  private boolean linkUp(Node from, Node to) {
    if (scenario.twinsSplitBrain()) {
      return from.side == to.side;
    }
    if (now >= scenario.gstMillis()) {
      return true;
    }
    // Before GST: a partition that rotates every second isolates a pseudo-random group.
    long epoch = now / 1000;
    long mask = new Random(scenario.seed() ^ (epoch * 0x9E3779B97F4A7C15L)).nextInt(1 << Math.min(nodes.size(), 16));
    return ((mask >> from.id) & 1) == ((mask >> to.id) & 1) || epoch % 2 == 0;
  }

  private void send(Node from, Node to, byte[] bytes) {
    if (bytes.length > 0 && seenMessages.size() < 64 && random.nextInt(10) == 0) {
      seenMessages.add(bytes);
    }
    if (!linkUp(from, to)) {
      return;
    }
    boolean beforeGst = now < scenario.gstMillis();
    if (beforeGst && random.nextInt(10) == 0) {
      return;
    }
    int copies = beforeGst && random.nextInt(20) == 0 ? 2 : 1;
    for (int i = 0; i < copies; i++) {
      long delay = beforeGst ? 1 + random.nextInt(300) : 1 + random.nextInt(40);
      schedule(now + delay, to.id, DELIVER, from.key.publicKey(), bytes, 0);
    }
  }

  private void schedule(long time, int node, int kind, PublicKey from, byte[] bytes, long view) {
    queue.add(new Event(time, seq++, node, kind, from, bytes, view, nodes.get(node).incarnation));
  }

  private void checkCommit(Node node, CertifiedBlock committed) {
    Block block = committed.block();
    long expected = node.height() + 1;
    if (block.height() != expected) {
      fail("node " + node.id + " committed height " + block.height() + ", expected " + expected);
    }
    Hash parent = node.log.isEmpty() ? ConsensusCore.genesis(CHAIN_ID).block().hash()
        : node.log.get(node.log.size() - 1).block().hash();
    if (!block.header().parentHash().equals(parent)) {
      fail("node " + node.id + " committed block " + block.height() + " not extending its previous commit");
    }
    if (!committed.qc().blockHash().equals(block.hash()) || !committed.qc().verify(validators).valid()) {
      fail("node " + node.id + " committed block " + block.height() + " with an invalid QC");
    }
    if (node.honest) {
      Hash previous = honestCommits.putIfAbsent(block.height(), block.hash());
      if (previous != null && !previous.equals(block.hash())) {
        fail("fork: two honest nodes committed different blocks at height " + block.height());
      }
      checkBundlesWhole(node, block);
    }
  }

  /**
   * The no-split checker, independent of {@code BundleRules}: it counts, per bundle of the run, the
   * bundle's transactions in the block. Each bundle must be absent or complete, and complete at most
   * once in a node's log.
   */
  private void checkBundlesWhole(Node node, Block block) {
    Map<Hash, Integer> present = new HashMap<>();
    for (Transaction tx : block.transactions()) {
      Bundle bundle = bundleOfTx.get(tx.id());
      if (bundle != null) {
        present.merge(bundle.key(), 1, Integer::sum);
      }
    }
    for (Map.Entry<Hash, Integer> entry : present.entrySet()) {
      Bundle bundle = bundles.stream().filter(b -> b.key().equals(entry.getKey())).findFirst().orElseThrow();
      if (entry.getValue() != bundle.transactions().size()) {
        fail("bundle split: block " + block.height() + " holds " + entry.getValue() + " of the "
            + bundle.transactions().size() + " transactions of bundle " + bundle.key());
      }
      if (!node.checkedBundleKeys.add(bundle.key())) {
        fail("bundle " + bundle.key() + " included twice, again at height " + block.height());
      }
      if (!bundle.window().contains(block.height(), block.header().timestampMillis())) {
        fail("bundle " + bundle.key() + " included at height " + block.height() + " outside its window");
      }
      if (node.id == firstHonestId()) {
        bundlesCommitted++;
      }
    }
  }

  private int firstHonestId() {
    for (Node node : nodes) {
      if (node.honest) {
        return node.id;
      }
    }
    return -1;
  }

  private void fail(String message) {
    throw new InvariantViolation("seed " + scenario.seed() + " (replay with -Dtandem.sim.seed=" + scenario.seed()
        + "), " + scenario + ", t=" + now + "ms: " + message);
  }
}
