package dev.tandem.bft;

import dev.tandem.bft.ConsensusMessage.BlockRequest;
import dev.tandem.bft.ConsensusMessage.BlockResponse;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.ConsensusMessage.Timeout;
import dev.tandem.bft.ConsensusMessage.VoteMessage;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.BoundedMap;
import dev.tandem.core.Hash;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consensus state machine of one validator: chained two-chain BFT (Jolteon / HotStuff-2
 * family), see docs/consensus.md. Pure and deterministic: no threads, clock, IO or randomness;
 * every event returns an {@link Output} the shell acts on (persist first, then send). Not
 * thread-safe: the shell calls it from one thread. Invalid messages are dropped silently.
 */
public final class ConsensusCore {
  /** Blocks asked for per sync request. */
  public static final int SYNC_BATCH = 32;
  private static final int MAX_BACKOFF_EXPONENT = 6;
  private static final int MAX_PENDING = 128;
  private static final int MAX_VERIFIED_CACHE = 4096;
  /** Proposals are compared for equivocation over this many recent views. */
  private static final int EQUIVOCATION_WINDOW_VIEWS = 64;
  /**
   * Votes and timeouts for views further ahead of this node's are dropped, so that a faulty
   * validator signing them for every future view cannot grow its state. A node that far behind
   * catches up through the QCs and TCs that messages carry, and through block sync.
   */
  private static final int MAX_VIEWS_AHEAD = 64;
  /** A proposal's timestamp may run this far ahead of the local clock. */
  private static final long MAX_CLOCK_DRIFT_MILLIS = 30_000;

  private final ConsensusConfig config;
  private final ValidatorSet validators;
  private final PublicKey me;
  private final long chainId;
  private final PayloadSource payload;
  private final BlockValidator blockValidator;
  private final CommittedChain committedChain;
  private final QuorumCertificate genesisQc;

  private SafetyState safety;
  private CertifiedBlock committedTip;
  private long currentView;
  private long proposedView;
  /** The proposal being handed to this node's own onProposal, set only during that call. */
  private Proposal ownProposal;
  /**
   * After a restart this node proposes in no view up to here: it may have sent a proposal for the
   * view after its last persisted vote just before it crashed, and must not sign a second block
   * for that view (see {@link Output#proposalMayLead}).
   */
  private final long noProposalThroughView;
  /** {@code safety.lastVotedView()} as last handed to the shell to persist (or restored). */
  private long persistedLastVotedView;
  /**
   * The safety state changed since it was last handed to the shell. A change with no vote, timeout
   * or proposal to send (a QC this node formed from others' votes) waits for the next event that
   * sends one: no message depends on it before then, so a crash may lose it.
   */
  private boolean safetyUnsaved;
  private boolean proposalMayLead;
  /** This event proposed already; a second chance to propose sets {@link #proposeAgain} instead. */
  private boolean proposedThisEvent;
  private boolean proposeAgain;
  private TimeoutCertificate lastTc;
  /** Blocks above the committed tip (plus the tip), by hash. */
  private final Map<Hash, Block> blocks = new HashMap<>();
  /** The highest-view QC seen for each block. */
  private final Map<Hash, QuorumCertificate> qcOf = new HashMap<>();
  private final TreeMap<Long, Map<PublicKey, Vote>> votes = new TreeMap<>();
  private final Set<Long> qcFormed = new HashSet<>();
  private final TreeMap<Long, Map<PublicKey, Timeout>> timeouts = new TreeMap<>();
  private final Deque<Pending> pending = new ArrayDeque<>();
  /** The first validly signed proposal seen per recent view, to catch a leader signing two blocks. */
  private final TreeMap<Long, Proposal> proposalByView = new TreeMap<>();
  private final Set<Long> equivocationReported = new HashSet<>();
  private final Set<Object> verified = java.util.Collections.newSetFromMap(BoundedMap.insertionOrdered(MAX_VERIFIED_CACHE));

  // Per-event output under construction.
  private long now;
  private List<ConsensusMessage> outBroadcast;
  private List<Output.Directed> outDirect;
  private Output.TimerRequest outTimer;
  private List<CertifiedBlock> outCommitted;
  private List<Equivocation> outEvidence;

  private record Pending(PublicKey from, ConsensusMessage message) {}

  /**
   * @param safety the last persisted safety state ({@link #initialSafety} for a new chain)
   * @param committedTip the last committed block with its QC ({@link #genesis} for a new chain)
   * @param committedChain read access to the persisted log, to serve block sync
   */
  public ConsensusCore(ConsensusConfig config, PayloadSource payload, BlockValidator blockValidator,
      SafetyState safety, CertifiedBlock committedTip, CommittedChain committedChain) {
    this.config = config;
    this.validators = config.validators();
    this.me = config.key().publicKey();
    this.chainId = config.chainId();
    this.payload = payload;
    this.blockValidator = blockValidator;
    this.committedChain = committedChain;
    this.genesisQc = genesis(chainId).qc();
    if (!validators.contains(me)) {
      throw new IllegalArgumentException("this node's key is not in the validator set");
    }
    if (!committedTip.qc().blockHash().equals(committedTip.block().hash())) {
      throw new IllegalArgumentException("committed tip's QC does not certify it");
    }
    // The log may hold a block committed by a QC whose safety write was still waiting when the node
    // stopped (see safetyUnsaved); the tip's QC is as good a lock as any.
    this.safety = committedTip.qc().view() > safety.highQc().view()
        ? new SafetyState(safety.lastVotedView(), committedTip.qc(), safety.lockedChain()) : safety;
    this.persistedLastVotedView = safety.lastVotedView();
    this.noProposalThroughView = safety.lastVotedView() >= 1 ? safety.lastVotedView() + 1 : 0;
    this.committedTip = committedTip;
    blocks.put(committedTip.block().hash(), committedTip.block());
    qcOf.put(committedTip.block().hash(), committedTip.qc());
    // The persisted lock chain: without it a restarted node could neither propose on its high QC nor serve it.
    for (CertifiedBlock entry : safety.lockedChain()) {
      Block block = entry.block();
      if (block.height() > committedTip.height() && block.header().chainId() == chainId
          && entry.qc().blockHash().equals(block.hash()) && entry.qc().height() == block.height()) {
        blocks.put(block.hash(), block);
        qcOf.put(block.hash(), entry.qc());
      }
    }
  }

  /** The genesis block of a chain (height 0, no transactions, zero proposer) with the genesis QC. */
  public static CertifiedBlock genesis(long chainId) {
    Block block = Block.build(chainId, 0, Hash.ZERO, 0, PublicKey.of(new byte[PublicKey.LENGTH]), List.of());
    return new CertifiedBlock(block, QuorumCertificate.genesis(chainId, block.hash()));
  }

  public static SafetyState initialSafety(long chainId) {
    return new SafetyState(0, genesis(chainId).qc(), List.of());
  }

  /**
   * Whether this node keeps the block: in its tree of blocks above the committed height (or the
   * committed tip), or in a message set aside until a missing ancestor arrives. The shell keeps
   * per-block state only for blocks held here.
   */
  public boolean holds(Hash blockHash) {
    if (blocks.containsKey(blockHash)) {
      return true;
    }
    for (Pending waiting : pending) {
      if (waiting.message() instanceof Proposal p && p.block().hash().equals(blockHash)) {
        return true;
      }
      if (waiting.message() instanceof BlockResponse r
          && r.blocks().stream().anyMatch(b -> b.block().hash().equals(blockHash))) {
        return true;
      }
    }
    return false;
  }

  /**
   * How many votes, timeouts and proposals (and views holding them) this node keeps, and messages
   * set aside: bounded by the validator count and the view windows, whatever faulty validators
   * send. The simulator checks the bound after every event.
   */
  public int retainedMessages() {
    int count = votes.size() + timeouts.size() + proposalByView.size() + pending.size();
    for (Map<PublicKey, Vote> forView : votes.values()) {
      count += forView.size();
    }
    for (Map<PublicKey, Timeout> forView : timeouts.values()) {
      count += forView.size();
    }
    return count;
  }

  /** The most {@link #retainedMessages} can be for {@code validatorCount} validators. */
  public static int maxRetainedMessages(int validatorCount) {
    int views = MAX_VIEWS_AHEAD + 2;
    return 2 * views * (validatorCount + 1) + EQUIVOCATION_WINDOW_VIEWS + 1 + MAX_VIEWS_AHEAD + MAX_PENDING;
  }

  public long currentView() {
    return currentView;
  }

  public SafetyState safetyState() {
    return safety;
  }

  public CertifiedBlock committedTip() {
    return committedTip;
  }

  /** Enters the first view after the restored state and, if the high QC's block is missing, asks everyone for it. */
  public Output start(long nowMillis) {
    begin(nowMillis);
    long view = Math.max(safety.highQc().view() + 1, Math.max(1, safety.lastVotedView()));
    if (!isKnown(safety.highQc())) {
      outBroadcast.add(new BlockRequest(safety.highQc().blockHash(), SYNC_BATCH));
    }
    enterView(view);
    return finish();
  }

  public Output onMessage(PublicKey from, ConsensusMessage message, long nowMillis) {
    begin(nowMillis);
    handle(from, message);
    return finish();
  }

  /**
   * Lets an idle leader propose once its idle interval has passed, or at once when transactions
   * arrived. The shell calls it periodically and when the mempool gains transactions.
   */
  public Output onTick(long nowMillis) {
    begin(nowMillis);
    tryPropose();
    return finish();
  }

  public Output onTimer(long view, long nowMillis) {
    begin(nowMillis);
    if (view == currentView) {
      localTimeout(view);
      if (view == currentView) {
        setTimer(view);
      }
    }
    return finish();
  }

  private void handle(PublicKey from, ConsensusMessage message) {
    if (!validators.contains(from)) {
      return;
    }
    if (message instanceof Proposal p) {
      onProposal(from, p);
    } else if (message instanceof VoteMessage v) {
      onVote(from, v.vote(), false);
    } else if (message instanceof Timeout t) {
      onTimeout(from, t);
    } else if (message instanceof BlockRequest r) {
      onBlockRequest(from, r);
    } else if (message instanceof BlockResponse r) {
      onBlockResponse(from, r);
    }
  }

  // ---- proposals and voting ----

  private void onProposal(PublicKey from, Proposal p) {
    Block block = p.block();
    PublicKey leader = validators.leader(p.view());
    // The proposal this node just signed is not verified again (one of about 11 checks a view);
    // anything that came as a message is, whoever it claims to be from.
    if (p.view() < 1 || !from.equals(leader) || !block.header().proposer().equals(leader)
        || block.header().chainId() != chainId || (p != ownProposal && !p.isSignedBy(leader, chainId))) {
      return;
    }
    if (!detectEquivocation(p)) {
      return;
    }
    if (p.tc().isPresent()) {
      TimeoutCertificate tc = p.tc().get();
      if (tc.view() != p.view() - 1 || !acceptTc(tc, from)) {
        return;
      }
    }
    QcResult justified = acceptQc(p.justify(), from);
    if (justified == QcResult.NEED_BLOCK) {
      stash(from, p);
      return;
    }
    if (justified == QcResult.INVALID || p.view() != currentView) {
      return;
    }
    Block parent = blocks.get(p.justify().blockHash());
    if (parent == null || !block.header().parentHash().equals(parent.hash())
        || block.height() != parent.height() + 1 || p.justify().height() != parent.height()
        || block.header().timestampMillis() < parent.header().timestampMillis()
        || block.header().timestampMillis() > now + MAX_CLOCK_DRIFT_MILLIS
        || block.transactions().size() > config.maxBlockTxs()
        || !blockValidator.validate(block).valid()) {
      return;
    }
    blocks.put(block.hash(), block);
    boolean extendsLock = p.justify().view() == p.view() - 1
        || (p.tc().isPresent() && p.tc().get().view() == p.view() - 1
            && p.justify().view() >= p.tc().get().highQcView());
    if (p.view() <= safety.lastVotedView() || !extendsLock) {
      // Others' votes for this block may already make a quorum: they waited for it.
      formQc(p.view(), block.height(), block.hash(), p.justify().view(), from);
      return;
    }
    safety = new SafetyState(p.view(), safety.highQc(), safety.lockedChain());
    safetyUnsaved = true;
    Vote vote = Vote.sign(config.key(), chainId, p.view(), block.height(), block.hash(), p.justify().view());
    verified.add(vote);
    // To every validator, not only the next leader: each forms the QC itself and commits a hop
    // earlier than when it would learn of the QC from the next proposal.
    outBroadcast.add(new VoteMessage(vote));
    onVote(me, vote, true);
  }

  /**
   * Keeps the first signed proposal of each recent view; a second one for another block is evidence.
   * Returns false for that second one: it is not processed further, so that an equivocating leader
   * cannot fill this node's block tree with variants of its view's block (should a quorum certify
   * one of them, this node fetches it by block sync).
   */
  private boolean detectEquivocation(Proposal p) {
    // Outside the window: too old to matter, or too far ahead to keep (a faulty leader could sign
    // proposals for every future view it leads).
    if (p.view() + EQUIVOCATION_WINDOW_VIEWS < currentView || p.view() > currentView + MAX_VIEWS_AHEAD) {
      return true;
    }
    Proposal first = proposalByView.putIfAbsent(p.view(), p);
    boolean conflicting = first != null && !first.block().hash().equals(p.block().hash());
    if (conflicting && equivocationReported.add(p.view())) {
      outEvidence.add(Equivocation.of(chainId, first, p));
    }
    while (!proposalByView.isEmpty() && proposalByView.firstKey() + EQUIVOCATION_WINDOW_VIEWS < currentView) {
      equivocationReported.remove(proposalByView.pollFirstEntry().getKey());
    }
    return !conflicting;
  }

  /**
   * Every validator collects every view's votes and forms its QC. {@code own}: the vote this node
   * just signed; any vote that came as a message is verified, whoever sent it.
   */
  private void onVote(PublicKey from, Vote vote, boolean own) {
    long view = vote.view();
    if (vote.chainId() != chainId || view < 1 || view + 1 < currentView || view > currentView + MAX_VIEWS_AHEAD
        || qcFormed.contains(view) || vote.parentView() >= view) {
      return;
    }
    PublicKey signer = vote.signature().signer();
    Map<PublicKey, Vote> forView = votes.get(view);
    Vote previous = forView == null ? null : forView.get(signer);
    // Each signer counts once per view, for the first block it voted for; a replay re-counts it.
    if (previous != null && !previous.equals(vote)) {
      return;
    }
    if (!own && !cachedVerify(vote, () -> vote.verify(validators).valid())) {
      return;
    }
    votes.computeIfAbsent(view, v -> new HashMap<>()).put(signer, vote);
    formQc(view, vote.height(), vote.blockHash(), vote.parentView(), from);
  }

  /**
   * Forms and adopts the QC for a block once its verified votes make a quorum. Votes can overtake
   * the proposal they are for: until the block is here they wait, and the proposal forms the QC
   * when it comes. The next leader, which needs the block to propose, asks the voter for it.
   */
  private void formQc(long view, long height, Hash blockHash, long parentView, PublicKey from) {
    Map<PublicKey, Vote> forView = votes.get(view);
    if (forView == null || qcFormed.contains(view)) {
      return;
    }
    List<Signature> signatures = new ArrayList<>();
    long stake = 0;
    for (Vote each : forView.values()) {
      if (each.height() == height && each.blockHash().equals(blockHash) && each.parentView() == parentView) {
        signatures.add(each.signature());
        stake += validators.stakeOf(each.signature().signer());
      }
    }
    if (!validators.isQuorum(stake)) {
      return;
    }
    QuorumCertificate qc = QuorumCertificate.of(chainId, view, height, blockHash, parentView, signatures);
    if (!isKnown(qc) && !validators.leader(view + 1).equals(me)) {
      return;
    }
    verified.add(qc);
    if (acceptQc(qc, from) == QcResult.OK) {
      qcFormed.add(view);
    }
  }

  // ---- QCs, commits, views ----

  private enum QcResult { OK, INVALID, NEED_BLOCK }

  private boolean isKnown(QuorumCertificate qc) {
    return blocks.containsKey(qc.blockHash()) || qc.height() <= committedTip.height();
  }

  private boolean validQc(QuorumCertificate qc) {
    if (qc.equals(genesisQc)) {
      return true;
    }
    if (qc.chainId() != chainId) {
      return false;
    }
    // The QC this node formed from the same votes' statement proves it already; another quorum's
    // signatures on it add nothing (the next leader's QC in its proposal, most of the time).
    QuorumCertificate held = qcOf.get(qc.blockHash());
    if (held != null && held.view() == qc.view() && held.height() == qc.height()
        && held.parentView() == qc.parentView()) {
      return true;
    }
    // A signature on a vote this node signed or already verified (its own, mostly) is not checked again.
    return cachedVerify(qc, () -> qc.verify(validators, signature -> verified.contains(qc.voteOf(signature))).valid());
  }

  /** Verifies a QC and, when its block is known, adopts it: high QC, commits, view. */
  private QcResult acceptQc(QuorumCertificate qc, PublicKey from) {
    if (!validQc(qc)) {
      return QcResult.INVALID;
    }
    if (!isKnown(qc)) {
      requestBlock(from, qc.blockHash());
      return QcResult.NEED_BLOCK;
    }
    Block block = blocks.get(qc.blockHash());
    if (block != null) {
      if (block.height() != qc.height()) {
        return QcResult.INVALID;
      }
      QuorumCertificate previous = qcOf.get(qc.blockHash());
      if (previous == null || previous.view() < qc.view()) {
        qcOf.put(qc.blockHash(), qc);
      }
    }
    if (qc.view() > safety.highQc().view() && block != null) {
      safety = new SafetyState(safety.lastVotedView(), qc, safety.lockedChain());
      safetyUnsaved = true;
    }
    if (block != null && qc.view() >= 1 && qc.parentView() == qc.view() - 1) {
      commitUpTo(block.header().parentHash(), from);
    }
    if (qc.view() + 1 > currentView) {
      enterView(qc.view() + 1);
    } else if (qc.view() + 1 == currentView) {
      tryPropose();
    }
    return QcResult.OK;
  }

  private boolean acceptTc(TimeoutCertificate tc, PublicKey from) {
    if (tc.chainId() != chainId || !cachedVerify(tc, () -> tc.verify(validators, genesisQc).valid())) {
      return false;
    }
    if (lastTc == null || tc.view() > lastTc.view()) {
      lastTc = tc;
    }
    acceptQc(tc.highQc(), from);
    if (tc.view() + 1 > currentView) {
      enterView(tc.view() + 1);
    } else if (tc.view() + 1 == currentView) {
      tryPropose();
    }
    return true;
  }

  /** Commits {@code target} and its uncommitted ancestors if the whole path is here; else asks for the gap. */
  private void commitUpTo(Hash target, PublicKey from) {
    Block block = blocks.get(target);
    if (block == null || block.height() <= committedTip.height()) {
      return;
    }
    List<CertifiedBlock> path = new ArrayList<>();
    Hash cursor = target;
    while (!cursor.equals(committedTip.block().hash())) {
      Block b = blocks.get(cursor);
      QuorumCertificate qc = qcOf.get(cursor);
      if (b == null || qc == null || b.height() <= committedTip.height()) {
        if (b == null || qc == null) {
          requestBlock(from, cursor);
        }
        return;
      }
      path.add(new CertifiedBlock(b, qc));
      cursor = b.header().parentHash();
    }
    for (int i = path.size() - 1; i >= 0; i--) {
      outCommitted.add(path.get(i));
    }
    committedTip = path.get(0);
    prune();
  }

  /** Drops blocks at or below the committed height (other than the tip) and old vote state. */
  private void prune() {
    long height = committedTip.height();
    Iterator<Map.Entry<Hash, Block>> it = blocks.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Hash, Block> entry = it.next();
      if (entry.getValue().height() <= height && !entry.getKey().equals(committedTip.block().hash())) {
        it.remove();
        qcOf.remove(entry.getKey());
      }
    }
  }

  private void enterView(long view) {
    if (view <= currentView) {
      return;
    }
    currentView = view;
    votes.headMap(view - 1).clear();
    timeouts.headMap(view - 1).clear();
    qcFormed.removeIf(v -> v < view - 1);
    setTimer(view);
    tryPropose();
  }

  private void setTimer(long view) {
    long failed = Math.max(0, view - safety.highQc().view() - 1);
    long timeout = config.baseTimeoutMillis() << Math.min(failed, MAX_BACKOFF_EXPONENT);
    outTimer = new Output.TimerRequest(view, now + timeout);
  }

  /** Whether {@code block} or one of its uncommitted ancestors holds transactions still to finalize. */
  private boolean carriesUncommittedTransactions(Block block) {
    for (Block cursor = block; cursor != null && cursor.height() > committedTip.height();
        cursor = blocks.get(cursor.header().parentHash())) {
      if (!cursor.transactions().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private void tryPropose() {
    long view = currentView;
    // A leader never proposes in a view it already voted or timed out in (persisted), nor, after a
    // restart, in the view after its last persisted vote: after a crash it could otherwise sign a
    // second, different block for the view and be accused of equivocation.
    if (proposedView >= view || view <= safety.lastVotedView() || view <= noProposalThroughView
        || !validators.leader(view).equals(me)) {
      return;
    }
    if (proposedThisEvent) {
      // One proposal per event. A validator whose own vote is a quorum certified its last block in
      // this event and leads again: proposing from here would recurse, a view deeper each time.
      proposeAgain = true;
      return;
    }
    QuorumCertificate justify = safety.highQc();
    Optional<TimeoutCertificate> tc = Optional.empty();
    if (justify.view() != view - 1) {
      if (lastTc == null || lastTc.view() != view - 1 || justify.view() < lastTc.highQcView()) {
        return;
      }
      tc = Optional.of(lastTc);
    }
    Block parent = blocks.get(justify.blockHash());
    if (parent == null) {
      return;
    }
    long timestamp = Math.max(now, parent.header().timestampMillis());
    List<Transaction> txs = payload.next(parent.header(), timestamp, config.maxBlockTxs());
    if (txs.size() > config.maxBlockTxs()) {
      txs = txs.subList(0, config.maxBlockTxs());
    }
    if (txs.isEmpty() && now < parent.header().timestampMillis() + config.idleBlockIntervalMillis()
        && !carriesUncommittedTransactions(parent)) {
      return; // idle: nothing to order or to finalize; onTick proposes once the interval has passed
    }
    Block block = Block.build(chainId, parent.height() + 1, parent.hash(), timestamp, me, txs);
    proposedView = view;
    proposedThisEvent = true;
    Proposal proposal = Proposal.sign(config.key(), chainId, view, block, justify, tc);
    outBroadcast.add(proposal);
    // Safe to send before this step's write: the vote for view - 1 is on disk, so after a crash the
    // restart rule keeps this node from proposing in this view again.
    proposalMayLead = view >= 2 && persistedLastVotedView == view - 1;
    ownProposal = proposal;
    onProposal(me, proposal);
    ownProposal = null;
  }

  // ---- timeouts ----

  private void localTimeout(long view) {
    if (view > safety.lastVotedView()) {
      safety = new SafetyState(view, safety.highQc(), safety.lockedChain());
      safetyUnsaved = true;
    }
    QuorumCertificate highQc = safety.highQc();
    Optional<TimeoutCertificate> tc = lastTc != null && lastTc.view() == view - 1 ? Optional.of(lastTc)
        : Optional.empty();
    TimeoutCertificate.Entry entry = TimeoutCertificate.sign(config.key(), chainId, view, highQc.view());
    Timeout timeout = new Timeout(view, highQc, tc, entry.signature());
    outBroadcast.add(timeout);
    recordTimeout(timeout);
  }

  private void onTimeout(PublicKey from, Timeout t) {
    Signature signature = t.signature();
    if (t.view() < 1 || t.highQc().view() >= t.view() || !validators.contains(signature.signer())) {
      return;
    }
    byte[] message = TimeoutCertificate.signingBytes(chainId, t.view(), t.highQc().view());
    if (!cachedVerify(t, () -> signature.verify(message)) || !validQc(t.highQc())) {
      return;
    }
    if (t.lastTc().isPresent()) {
      acceptTc(t.lastTc().get(), from);
    }
    if (acceptQc(t.highQc(), from) == QcResult.NEED_BLOCK) {
      stash(from, t);
    }
    if (t.view() < currentView || t.view() > currentView + MAX_VIEWS_AHEAD) {
      return;
    }
    recordTimeout(t);
  }

  private void recordTimeout(Timeout t) {
    Map<PublicKey, Timeout> forView = timeouts.computeIfAbsent(t.view(), v -> new LinkedHashMap<>());
    PublicKey signer = t.signature().signer();
    Timeout previous = forView.get(signer);
    if (previous != null && previous.highQc().view() >= t.highQc().view()) {
      return;
    }
    forView.put(signer, t);
    long stake = 0;
    Timeout highest = t;
    for (Timeout each : forView.values()) {
      stake += validators.stakeOf(each.signature().signer());
      if (each.highQc().view() > highest.highQc().view()) {
        highest = each;
      }
    }
    // More than 1/3 gave up on a view at or above ours: at least one honest node did, so join it.
    if (validators.isValidity(stake) && t.view() >= currentView && !forView.containsKey(me)) {
      enterView(t.view());
      if (currentView == t.view()) {
        localTimeout(t.view());
        return;
      }
    }
    if (validators.isQuorum(stake) && (lastTc == null || lastTc.view() < t.view())) {
      List<TimeoutCertificate.Entry> entries = new ArrayList<>();
      for (Timeout each : forView.values()) {
        entries.add(new TimeoutCertificate.Entry(each.highQc().view(), each.signature()));
      }
      TimeoutCertificate tc = TimeoutCertificate.of(chainId, t.view(), entries, highest.highQc());
      verified.add(tc);
      acceptTc(tc, me);
    }
  }

  // ---- block sync ----

  private void requestBlock(PublicKey from, Hash hash) {
    BlockRequest request = new BlockRequest(hash, SYNC_BATCH);
    if (from.equals(me)) {
      outBroadcast.add(request);
    } else {
      Output.Directed directed = new Output.Directed(from, request);
      if (!outDirect.contains(directed)) {
        outDirect.add(directed);
      }
    }
  }

  private void stash(PublicKey from, ConsensusMessage message) {
    if (pending.size() >= MAX_PENDING) {
      pending.removeFirst();
    }
    pending.addLast(new Pending(from, message));
  }

  private Optional<CertifiedBlock> certified(Hash hash) {
    Block block = blocks.get(hash);
    QuorumCertificate qc = qcOf.get(hash);
    if (block != null && qc != null) {
      return Optional.of(new CertifiedBlock(block, qc));
    }
    return committedChain.get(hash);
  }

  private void onBlockRequest(PublicKey from, BlockRequest request) {
    List<CertifiedBlock> chain = new ArrayList<>();
    Hash cursor = request.blockHash();
    int limit = Math.min(request.count(), ConsensusCodec.MAX_SYNC_BLOCKS);
    while (chain.size() < limit) {
      Optional<CertifiedBlock> entry = certified(cursor);
      if (entry.isEmpty() || entry.get().height() == 0) {
        break;
      }
      chain.add(entry.get());
      cursor = entry.get().block().header().parentHash();
    }
    if (!chain.isEmpty() && !from.equals(me)) {
      outDirect.add(new Output.Directed(from, new BlockResponse(chain)));
    }
  }

  private void onBlockResponse(PublicKey from, BlockResponse response) {
    List<CertifiedBlock> accepted = new ArrayList<>();
    for (int i = 0; i < response.blocks().size(); i++) {
      CertifiedBlock entry = response.blocks().get(i);
      Block block = entry.block();
      QuorumCertificate qc = entry.qc();
      if (i > 0) {
        Block child = response.blocks().get(i - 1).block();
        if (!child.header().parentHash().equals(block.hash()) || child.height() != block.height() + 1) {
          break;
        }
      }
      if (block.header().chainId() != chainId || !qc.blockHash().equals(block.hash())
          || qc.height() != block.height() || !validQc(qc)) {
        break;
      }
      accepted.add(entry);
    }
    if (accepted.isEmpty()) {
      return;
    }
    boolean added = false;
    for (int i = accepted.size() - 1; i >= 0; i--) {
      CertifiedBlock entry = accepted.get(i);
      if (entry.height() > committedTip.height() && !blocks.containsKey(entry.block().hash())) {
        blocks.put(entry.block().hash(), entry.block());
        added = true;
      }
    }
    CertifiedBlock oldest = accepted.get(accepted.size() - 1);
    Hash oldestParent = oldest.block().header().parentHash();
    if (oldest.height() > committedTip.height() + 1 && !blocks.containsKey(oldestParent)) {
      requestBlock(from, oldestParent);
    }
    if (!added) {
      return;
    }
    for (int i = accepted.size() - 1; i >= 0; i--) {
      acceptQc(accepted.get(i).qc(), from);
    }
    List<Pending> replay = new ArrayList<>(pending);
    pending.clear();
    for (Pending p : replay) {
      handle(p.from(), p.message());
    }
    tryPropose();
  }

  /** The high QC's block and its uncommitted ancestors, newest first, as far as they are here. */
  private List<CertifiedBlock> lockedChain() {
    List<CertifiedBlock> chain = new ArrayList<>();
    Hash cursor = safety.highQc().blockHash();
    while (chain.size() < SYNC_BATCH) {
      Block block = blocks.get(cursor);
      QuorumCertificate qc = qcOf.get(cursor);
      if (block == null || qc == null || block.height() <= committedTip.height()) {
        break;
      }
      chain.add(new CertifiedBlock(block, qc));
      cursor = block.header().parentHash();
    }
    return chain;
  }

  // ---- plumbing ----

  private boolean cachedVerify(Object key, java.util.function.BooleanSupplier check) {
    if (verified.contains(key)) {
      return true;
    }
    if (!check.getAsBoolean()) {
      return false;
    }
    verified.add(key);
    return true;
  }

  private void begin(long nowMillis) {
    now = nowMillis;
    outBroadcast = new ArrayList<>();
    outDirect = new ArrayList<>();
    outTimer = null;
    outCommitted = new ArrayList<>();
    outEvidence = new ArrayList<>();
    proposalMayLead = false;
    proposedThisEvent = false;
    proposeAgain = false;
  }

  private Output finish() {
    SafetyState toPersist = null;
    if (safetyUnsaved && (outBroadcast.stream().anyMatch(ConsensusCore::dependsOnSafety)
        || outDirect.stream().anyMatch(directed -> dependsOnSafety(directed.message())))) {
      safety = new SafetyState(safety.lastVotedView(), safety.highQc(), lockedChain());
      toPersist = safety;
      safetyUnsaved = false;
      persistedLastVotedView = safety.lastVotedView();
    }
    return new Output(outBroadcast, outDirect, Optional.ofNullable(outTimer), outCommitted, toPersist, outEvidence,
        proposalMayLead, proposeAgain);
  }

  /** Votes, timeouts and proposals reflect the safety state; block sync messages do not. */
  private static boolean dependsOnSafety(ConsensusMessage message) {
    return message instanceof VoteMessage || message instanceof Timeout || message instanceof Proposal;
  }
}
