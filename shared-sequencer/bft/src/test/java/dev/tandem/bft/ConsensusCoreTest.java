package dev.tandem.bft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsensusCoreTest {
  private static final long CHAIN = 5;
  private final List<KeyPair> keys = new ArrayList<>();
  private final ValidatorSet set;
  private final ConsensusCodec codec = new ConsensusCodec(1 << 20);

  ConsensusCoreTest() {
    Random random = new Random(3);
    List<PublicKey> publics = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      keys.add(KeyPair.generate(random));
      publics.add(keys.get(i).publicKey());
    }
    set = ValidatorSet.equalStake(publics);
  }

  private ConsensusCore core(PublicKey who) {
    KeyPair key = keys.stream().filter(k -> k.publicKey().equals(who)).findFirst().orElseThrow();
    return new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10), (parent, timestamp, max) -> List.of(),
        block -> Verification.OK, ConsensusCore.initialSafety(CHAIN), ConsensusCore.genesis(CHAIN),
        CommittedChain.EMPTY);
  }

  private KeyPair keyOf(PublicKey who) {
    return keys.stream().filter(k -> k.publicKey().equals(who)).findFirst().orElseThrow();
  }

  private static List<VoteMessage> votesIn(Output out) {
    return out.broadcast().stream().filter(m -> m instanceof VoteMessage).map(m -> (VoteMessage) m).toList();
  }

  private PublicKey follower(PublicKey leader) {
    return set.keys().stream().filter(k -> !k.equals(leader)).findFirst().orElseThrow();
  }

  @Test
  void leaderProposesAtStartAndFollowerVotesOnceAfterPersisting() {
    PublicKey leader = set.leader(1);
    Output started = core(leader).start(0);
    assertThat(started.timer()).contains(new Output.TimerRequest(1, 1000));
    Proposal proposal = (Proposal) started.broadcast().stream().filter(m -> m instanceof Proposal).findFirst()
        .orElseThrow();
    assertThat(proposal.view()).isEqualTo(1);

    ConsensusCore follower = core(follower(leader));
    follower.start(0);
    Output voted = follower.onMessage(leader, proposal, 10);
    assertThat(voted.safetyStateToPersist()).isNotNull();
    assertThat(voted.safetyStateToPersist().lastVotedView()).isEqualTo(1);
    // The vote goes to every validator, each of which forms the QC.
    assertThat(voted.direct()).isEmpty();
    assertThat(votesIn(voted)).hasSize(1);
    VoteMessage vote = votesIn(voted).get(0);
    assertThat(vote.vote().blockHash()).isEqualTo(proposal.block().hash());
    assertThat(vote.vote().verify(set).valid()).isTrue();

    // Same view again, and a conflicting block for that view: no second vote.
    assertThat(votesIn(follower.onMessage(leader, proposal, 11))).isEmpty();
    Block other = Block.build(CHAIN, 1, proposal.block().header().parentHash(), 5, leader, List.of());
    Proposal second = Proposal.sign(keyOf(leader), CHAIN, 1, other, proposal.justify(), Optional.empty());
    Output conflicting = follower.onMessage(leader, second, 12);
    assertThat(votesIn(conflicting)).isEmpty();
    assertThat(conflicting.safetyStateToPersist()).isNull();
    // The leader signed two blocks for view 1: evidence anyone with the validator set can check.
    assertThat(conflicting.evidence()).hasSize(1);
    // Only the first is kept: an equivocating leader cannot fill the block tree with variants.
    assertThat(follower.holds(proposal.block().hash())).isTrue();
    assertThat(follower.holds(other.hash())).isFalse();
    Equivocation evidence = conflicting.evidence().get(0);
    assertThat(evidence.leader()).isEqualTo(leader);
    assertThat(evidence.verify(CHAIN, set).valid()).isTrue();
    assertThat(Equivocation.decode(evidence.encode())).isEqualTo(evidence);
    byte[] encoded = evidence.encode();
    assertThatThrownBy(() -> Equivocation.decode(Arrays.copyOf(encoded, encoded.length - 1)))
        .isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Equivocation.decode(Arrays.copyOf(encoded, encoded.length + 1)))
        .isInstanceOf(DecodingException.class);
    // The two blocks swapped: not the one canonical encoding.
    Equivocation swapped = new Equivocation(CHAIN, 1, evidence.blockB(), evidence.signatureB(), evidence.blockA(),
        evidence.signatureA());
    assertThatThrownBy(() -> Equivocation.decode(swapped.encode())).isInstanceOf(DecodingException.class);
    // The same block twice is no evidence.
    Equivocation same = new Equivocation(CHAIN, 1, evidence.blockA(), evidence.signatureA(), evidence.blockA(),
        evidence.signatureA());
    assertThat(same.verify(CHAIN, set).valid()).isFalse();
    assertThat(evidence.verify(CHAIN + 1, set).valid()).isFalse();
    // Reported once per view.
    assertThat(follower.onMessage(leader, second, 13).evidence()).isEmpty();
  }

  @Test
  void aVoteThatArrivesAsAMessageIsVerifiedEvenWhenItsSenderIsThisNode() {
    PublicKey leader = set.leader(1);
    PublicKey next = set.leader(2);
    assertThat(next).as("the keys give views 1 and 2 different leaders").isNotEqualTo(leader);
    Proposal proposal = (Proposal) core(leader).start(0).broadcast().get(0);
    ConsensusCore nextLeader = core(next);
    nextLeader.start(0);
    nextLeader.onMessage(leader, proposal, 1);
    Block block = proposal.block();
    // Two forged votes (valid shape, signatures by the wrong keys) that claim this node as their sender.
    List<PublicKey> others = set.keys().stream().filter(k -> !k.equals(next)).toList();
    for (int i = 0; i < 2; i++) {
      Vote genuine = Vote.sign(keyOf(others.get(i)), CHAIN, 1, block.height(), block.hash(), 0);
      Vote forged = new Vote(CHAIN, 1, block.height(), block.hash(), 0,
          new Signature(others.get(i), Vote.sign(keyOf(next), CHAIN, 1, block.height(), block.hash(), 0)
              .signature().bytes()));
      assertThat(forged).isNotEqualTo(genuine);
      Output afterForged = nextLeader.onMessage(next, new VoteMessage(forged), 2 + i);
      assertThat(afterForged.broadcast()).as("no QC, no proposal for view 2 from forged votes").isEmpty();
    }
    // The same signers' genuine votes make the quorum (with this node's own vote if it is a voter).
    List<ConsensusMessage> sent = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      sent.addAll(nextLeader.onMessage(others.get(i),
          new VoteMessage(Vote.sign(keyOf(others.get(i)), CHAIN, 1, block.height(), block.hash(), 0)), 10 + i)
          .broadcast());
    }
    assertThat(sent).anyMatch(m -> m instanceof Proposal p && p.view() == 2);
  }

  @Test
  void aQcThatForgesThisNodesSignatureIsRejectedThoughItsOwnVotesAreNotCheckedAgain() {
    PublicKey leader1 = set.leader(1);
    PublicKey leader2 = set.leader(2);
    PublicKey replica = set.keys().stream().filter(k -> !k.equals(leader1) && !k.equals(leader2)).findFirst()
        .orElseThrow();
    Proposal first = (Proposal) core(leader1).start(0).broadcast().get(0);
    Block block1 = first.block();
    List<PublicKey> others = set.keys().stream().filter(k -> !k.equals(replica)).limit(2).toList();
    List<Signature> genuine = new ArrayList<>();
    for (PublicKey other : others) {
      genuine.add(Vote.sign(keyOf(other), CHAIN, 1, block1.height(), block1.hash(), 0).signature());
    }
    // In the replica's name: its signature over another view's vote, which verifies for no vote of view 1.
    Signature forged = Vote.sign(keyOf(replica), CHAIN, 7, block1.height(), block1.hash(), 0).signature();
    Signature own = Vote.sign(keyOf(replica), CHAIN, 1, block1.height(), block1.hash(), 0).signature();
    Block block2 = Block.build(CHAIN, 2, block1.hash(), 2, leader2, List.of());

    for (boolean forgedQc : List.of(true, false)) {
      ConsensusCore node = core(replica);
      node.start(0);
      assertThat(votesIn(node.onMessage(leader1, first, 1))).as("votes for view 1").hasSize(1);
      List<Signature> signatures = new ArrayList<>(genuine);
      signatures.add(forgedQc ? forged : own);
      QuorumCertificate qc = QuorumCertificate.of(CHAIN, 1, block1.height(), block1.hash(), 0, signatures);
      Proposal second = Proposal.sign(keyOf(leader2), CHAIN, 2, block2, qc, Optional.empty());
      Output out = node.onMessage(leader2, second, 3);
      if (forgedQc) {
        assertThat(votesIn(out)).as("no vote on a QC with a forged signature").isEmpty();
      } else {
        assertThat(votesIn(out)).singleElement().satisfies(v -> assertThat(v.vote().view()).isEqualTo(2));
      }
    }
  }

  @Test
  void votesAndTimeoutsForViewsFarAheadAreDropped() {
    PublicKey node = set.keys().get(0);
    List<PublicKey> others = set.keys().stream().filter(k -> !k.equals(node)).toList();
    QuorumCertificate genesisQc = ConsensusCore.genesis(CHAIN).qc();
    byte[] filler = new byte[32];
    Arrays.fill(filler, (byte) 7);
    Hash unknown = Hash.of(filler);
    for (long ahead : List.of(1L, 64L, 65L, 100_000L)) {
      // Votes by a quorum for a view whose next leader is this node, for a block it does not have:
      // within reach it forms the QC and asks for the block; beyond, the votes are dropped.
      ConsensusCore core = core(node);
      core.start(0);
      long view = core.currentView() + ahead;
      while (!set.leader(view + 1).equals(node)) {
        view++;
      }
      long votedView = view;
      List<Output.Directed> asked = new ArrayList<>();
      for (PublicKey other : others) {
        asked.addAll(core.onMessage(other, new VoteMessage(Vote.sign(keyOf(other), CHAIN, votedView, 5, unknown, 0)),
            1).direct());
      }
      assertThat(asked).as("votes %d views ahead", votedView - core.currentView())
          .hasSize(votedView <= core.currentView() + 64 ? 1 : 0).allMatch(d -> d.message() instanceof BlockRequest);

      // Timeouts by more than a third for a view ahead: within reach this node joins it (and, timing out
      // there itself, completes a TC and moves one view further); beyond, it stays.
      ConsensusCore joiner = core(node);
      joiner.start(0);
      long start = joiner.currentView();
      long timedOut = start + ahead;
      for (PublicKey other : others.subList(0, 2)) {
        TimeoutCertificate.Entry entry = TimeoutCertificate.sign(keyOf(other), CHAIN, timedOut, 0);
        joiner.onMessage(other, new Timeout(timedOut, genesisQc, Optional.empty(), entry.signature()), 1);
      }
      if (ahead <= 64) {
        assertThat(joiner.currentView()).as("timeouts %d views ahead", ahead).isGreaterThanOrEqualTo(timedOut);
      } else {
        assertThat(joiner.currentView()).as("timeouts %d views ahead", ahead).isEqualTo(start);
      }
    }
  }

  @Test
  void unsignedOrForeignSignedProposalsAreIgnored() {
    PublicKey leader = set.leader(1);
    PublicKey other = follower(leader);
    Block block = Block.build(CHAIN, 1, ConsensusCore.genesis(CHAIN).block().hash(), 1, leader, List.of());
    ConsensusCore node = core(follower(other));
    node.start(0);
    // Signed by another validator's key, or a valid signature over another chain id.
    Proposal wrongSigner = Proposal.sign(keyOf(other), CHAIN, 1, block, ConsensusCore.genesis(CHAIN).qc(),
        Optional.empty());
    assertThat(votesIn(node.onMessage(leader, wrongSigner, 1))).isEmpty();
    Proposal wrongChain = Proposal.sign(keyOf(leader), CHAIN + 1, 1, block, ConsensusCore.genesis(CHAIN).qc(),
        Optional.empty());
    assertThat(votesIn(node.onMessage(leader, wrongChain, 2))).isEmpty();
    Proposal good = Proposal.sign(keyOf(leader), CHAIN, 1, block, ConsensusCore.genesis(CHAIN).qc(), Optional.empty());
    assertThat(votesIn(node.onMessage(leader, good, 3))).hasSize(1);
  }

  @Test
  void proposalFromNonLeaderIsIgnoredAndTimeoutIsPersistedAndSigned() {
    PublicKey leader = set.leader(1);
    PublicKey impostor = follower(leader);
    Block block = Block.build(CHAIN, 1, ConsensusCore.genesis(CHAIN).block().hash(), 1, impostor, List.of());
    ConsensusCore node = core(set.keys().stream().filter(k -> !k.equals(leader) && !k.equals(impostor))
        .findFirst().orElseThrow());
    node.start(0);
    Output ignored = node.onMessage(impostor,
        Proposal.sign(keyOf(impostor), CHAIN, 1, block, ConsensusCore.genesis(CHAIN).qc(), Optional.empty()), 1);
    assertThat(ignored.isEmpty()).isTrue();

    Output timedOut = node.onTimer(1, 1000);
    assertThat(timedOut.safetyStateToPersist().lastVotedView()).isEqualTo(1);
    Timeout timeout = (Timeout) timedOut.broadcast().get(0);
    assertThat(timeout.view()).isEqualTo(1);
    assertThat(timedOut.timer().orElseThrow().fireAtMillis()).isEqualTo(1000 + 1000);
    assertThat(node.onTimer(0, 1001).isEmpty()).isTrue();
  }

  @Test
  void codecRoundTripsEveryMessageAndRejectsMalformedInput() {
    PublicKey leader = set.leader(1);
    ConsensusCore leaderCore = core(leader);
    Proposal proposal = (Proposal) leaderCore.start(0).broadcast().get(0);
    ConsensusCore node = core(follower(leader));
    node.start(0);
    VoteMessage vote = votesIn(node.onMessage(leader, proposal, 1)).get(0);
    Timeout timeout = (Timeout) node.onTimer(1, 1000).broadcast().get(0);
    List<ConsensusMessage> messages = List.of(proposal, vote, timeout,
        new BlockRequest(proposal.block().hash(), 3),
        new BlockResponse(List.of(new CertifiedBlock(proposal.block(), proposal.justify()))));
    for (ConsensusMessage message : messages) {
      byte[] encoded = codec.encode(message);
      ConsensusMessage decoded = codec.decode(encoded);
      assertThat(codec.encode(decoded)).isEqualTo(encoded);
      for (int cut = 0; cut < encoded.length; cut += 5) {
        byte[] truncated = Arrays.copyOf(encoded, cut);
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(DecodingException.class);
      }
      byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
      assertThatThrownBy(() -> codec.decode(trailing)).isInstanceOf(DecodingException.class);
    }
    byte[] badTag = {9};
    assertThatThrownBy(() -> codec.decode(badTag)).hasMessageContaining("tag");
    byte[] request = codec.encode(new BlockRequest(proposal.block().hash(), 3));
    request[request.length - 1] = 0;
    assertThatThrownBy(() -> codec.decode(request)).hasMessageContaining("count");
    assertThatThrownBy(() -> new ConsensusCodec(1024).decode(new byte[2048])).hasMessageContaining("exceeds");
    SafetyState safety = node.safetyState();
    SafetyState decoded = SafetyState.decode(safety.encode());
    assertThat(decoded.lastVotedView()).isEqualTo(safety.lastVotedView());
    assertThat(decoded.highQc()).isEqualTo(safety.highQc());
    assertThat(decoded.lockedChain()).hasSameSizeAs(safety.lockedChain());
  }

  @Test
  void aBlockResponseIsCutToTheNewestBlocksThatFitOneMessage() {
    ConsensusCodec codec = new ConsensusCodec(64 * 1024);
    List<CertifiedBlock> newestFirst = new ArrayList<>();
    Hash parent = Hash.ZERO;
    for (int height = 1; height <= 5; height++) {
      Transaction tx = Transaction.sign(CHAIN, dev.tandem.core.Namespace.of(9), height, 1, new byte[20_000], keys.get(0));
      Block block = Block.build(CHAIN, height, parent, height, keys.get(1).publicKey(), List.of(tx));
      newestFirst.add(0, new CertifiedBlock(block, QuorumCertificate.genesis(CHAIN, block.hash())));
      parent = block.hash();
    }
    assertThatThrownBy(() -> codec.encode(new BlockResponse(newestFirst))).hasMessageContaining("exceeds");

    BlockResponse cut = (BlockResponse) codec.decode(codec.encodeFitting(new BlockResponse(newestFirst)));
    assertThat(cut.blocks()).extracting(entry -> entry.block().hash())
        .containsExactly(newestFirst.get(0).block().hash(), newestFirst.get(1).block().hash(),
            newestFirst.get(2).block().hash());

    BlockResponse fits = new BlockResponse(newestFirst.subList(3, 5));
    assertThat(codec.encodeFitting(fits)).isEqualTo(codec.encode(fits));
    Transaction huge = Transaction.sign(CHAIN, dev.tandem.core.Namespace.of(9), 9, 1, new byte[70_000], keys.get(0));
    Block tooLarge = Block.build(CHAIN, 9, parent, 9, keys.get(1).publicKey(), List.of(huge));
    assertThatThrownBy(() -> codec.encodeFitting(new BlockResponse(
        List.of(new CertifiedBlock(tooLarge, QuorumCertificate.genesis(CHAIN, tooLarge.hash()))))))
        .hasMessageContaining("exceeds");
  }

  /** One node's disk: the persisted safety state and the committed log. */
  private static final class Disk {
    SafetyState safety = ConsensusCore.initialSafety(CHAIN);
    final List<CertifiedBlock> log = new ArrayList<>(List.of(ConsensusCore.genesis(CHAIN)));
  }

  private record Delivery(PublicKey from, PublicKey to, ConsensusMessage message) {}

  private ConsensusCore restore(KeyPair key, Disk disk) {
    CommittedChain chain = hash -> disk.log.stream().filter(c -> c.block().hash().equals(hash)).findFirst();
    return new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10), (parent, timestamp, max) -> List.of(),
        block -> Verification.OK, disk.safety, disk.log.get(disk.log.size() - 1), chain);
  }

  /**
   * Runs the cores over a lossless instant network until every node committed {@code height} or
   * {@code maxEvents} passed; when the network is quiet the earliest timer fires. Returns the
   * simulated time reached.
   */
  private long run(List<ConsensusCore> cores, List<Disk> disks, long now, long height, int maxEvents) {
    java.util.ArrayDeque<Delivery> queue = new java.util.ArrayDeque<>();
    long[] timerView = new long[cores.size()];
    long[] timerAt = new long[cores.size()];
    java.util.Arrays.fill(timerAt, Long.MAX_VALUE);
    java.util.function.BiConsumer<Integer, Output> apply = (i, out) -> {
      if (out.safetyStateToPersist() != null) {
        disks.get(i).safety = out.safetyStateToPersist();
      }
      disks.get(i).log.addAll(out.committed());
      PublicKey self = keys.get(i).publicKey();
      for (ConsensusMessage m : out.broadcast()) {
        set.keys().stream().filter(k -> !k.equals(self)).forEach(k -> queue.add(new Delivery(self, k, m)));
      }
      out.direct().forEach(d -> queue.add(new Delivery(self, d.to(), d.message())));
      out.timer().ifPresent(t -> {
        timerView[i] = t.view();
        timerAt[i] = t.fireAtMillis();
      });
    };
    for (int i = 0; i < cores.size(); i++) {
      apply.accept(i, cores.get(i).start(now));
    }
    for (int events = 0; events < maxEvents; events++) {
      if (disks.stream().allMatch(d -> d.log.get(d.log.size() - 1).height() >= height)) {
        return now;
      }
      Delivery next = queue.poll();
      if (next != null) {
        int to = indexOf(next.to());
        apply.accept(to, cores.get(to).onMessage(next.from(), codec.decode(codec.encode(next.message())), now));
        continue;
      }
      int earliest = 0;
      for (int i = 1; i < cores.size(); i++) {
        earliest = timerAt[i] < timerAt[earliest] ? i : earliest;
      }
      now = Math.max(now, timerAt[earliest]);
      timerAt[earliest] = Long.MAX_VALUE;
      apply.accept(earliest, cores.get(earliest).onTimer(timerView[earliest], now));
    }
    return now;
  }

  private int indexOf(PublicKey key) {
    for (int i = 0; i < keys.size(); i++) {
      if (keys.get(i).publicKey().equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException("not a validator");
  }

  /**
   * Every node restarts at once from its disk. The high QC's block is above the committed tip and
   * lived only in memory before; the Jolteon rule makes leaders extend that QC, so unless the
   * safety state keeps the block, no one can propose after the restart and views time out forever.
   */
  @Test
  void wholeNetworkRestartKeepsTheHighQcBlockAndMakesProgress() {
    List<Disk> disks = new ArrayList<>();
    List<ConsensusCore> cores = new ArrayList<>();
    for (KeyPair key : keys) {
      Disk disk = new Disk();
      disks.add(disk);
      cores.add(restore(key, disk));
    }
    long now = run(cores, disks, 0, 3, 10_000);
    long before = disks.stream().mapToLong(d -> d.log.get(d.log.size() - 1).height()).min().orElseThrow();
    assertThat(before).isGreaterThanOrEqualTo(3);
    // A QC formed from others' votes commits before its safety write (which waits for the node's next
    // vote), so a node's high QC on disk may be its tip's; where it is above, its block is kept.
    assertThat(disks).anySatisfy(disk ->
        assertThat(disk.safety.highQc().height()).isGreaterThan(disk.log.get(disk.log.size() - 1).height()));
    for (Disk disk : disks) {
      if (disk.safety.highQc().height() > disk.log.get(disk.log.size() - 1).height()) {
        assertThat(disk.safety.lockedChain()).isNotEmpty();
        assertThat(disk.safety.lockedChain().get(0).block().hash()).isEqualTo(disk.safety.highQc().blockHash());
      }
    }

    cores.clear();
    for (int i = 0; i < keys.size(); i++) {
      Disk disk = disks.get(i);
      disk.safety = SafetyState.decode(disk.safety.encode());
      cores.add(restore(keys.get(i), disk));
    }
    run(cores, disks, now + 1, before + 5, 10_000);
    for (Disk disk : disks) {
      assertThat(disk.log.get(disk.log.size() - 1).height()).isGreaterThanOrEqualTo(before + 5);
    }
  }

  @Test
  void anIdleLeaderWaitsForTheIdleIntervalButProposesTransactionsAtOnce() {
    PublicKey leader = set.leader(1);
    KeyPair key = keys.stream().filter(k -> k.publicKey().equals(leader)).findFirst().orElseThrow();
    List<Transaction> mempool = new ArrayList<>();
    ConsensusCore core = new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10, 200),
        (parent, timestamp, max) -> List.copyOf(mempool), block -> Verification.OK, ConsensusCore.initialSafety(CHAIN),
        ConsensusCore.genesis(CHAIN), CommittedChain.EMPTY);
    // Genesis was "made" at time 0: nothing to order, so no empty block before 200 ms.
    assertThat(core.start(100).broadcast()).noneMatch(m -> m instanceof Proposal);
    assertThat(core.onTick(150).broadcast()).noneMatch(m -> m instanceof Proposal);
    // A transaction arrives: the leader proposes it at once.
    mempool.add(Transaction.sign(CHAIN, dev.tandem.core.Namespace.of(9), 0, 1, new byte[] {1}, key));
    Output withTx = core.onTick(160);
    Proposal proposal = (Proposal) withTx.broadcast().stream().filter(m -> m instanceof Proposal).findFirst()
        .orElseThrow();
    assertThat(proposal.block().transactions()).hasSize(1);
    assertThat(core.onTick(170).broadcast()).noneMatch(m -> m instanceof Proposal); // once per view
  }

  /**
   * A leader whose vote for the previous view is on disk may send its proposal before this step's
   * write; after a restart it never proposes in the view after its last persisted vote, which such a
   * proposal may have used just before a crash.
   */
  @Test
  void aProposalLeadsItsWriteOnlyAfterAPersistedVoteAndARestartedLeaderSkipsTheNextView() {
    PublicKey leader = set.leader(1);
    PublicKey next = set.leader(2);
    Output first = core(leader).start(0);
    Proposal proposal = (Proposal) first.broadcast().get(0);
    assertThat(first.proposalMayLead()).as("view 1: no vote of this node on disk yet").isFalse();
    ConsensusCore nextLeader = core(next);
    nextLeader.start(0);
    assertThat(nextLeader.onMessage(leader, proposal, 1).safetyStateToPersist().lastVotedView()).isEqualTo(1);
    Output proposing = null;
    for (PublicKey voter : set.keys().stream().filter(k -> !k.equals(next)).toList()) {
      Output out = nextLeader.onMessage(voter, new VoteMessage(
          Vote.sign(keyOf(voter), CHAIN, 1, proposal.block().height(), proposal.block().hash(), 0)), 2);
      if (out.broadcast().stream().anyMatch(m -> m instanceof Proposal p && p.view() == 2)) {
        proposing = out;
      }
    }
    assertThat(proposing).isNotNull();
    assertThat(proposing.proposalMayLead()).isTrue();
    SafetyState onDisk = proposing.safetyStateToPersist();
    assertThat(onDisk.lastVotedView()).isEqualTo(2);

    // It crashed after sending that proposal and before its write: its disk still says view 1.
    SafetyState beforeCrash = new SafetyState(1, onDisk.highQc(), onDisk.lockedChain());
    ConsensusCore restarted = new ConsensusCore(new ConsensusConfig(set, keyOf(next), CHAIN, 1000, 10),
        (parent, timestamp, max) -> List.of(), block -> Verification.OK, beforeCrash, ConsensusCore.genesis(CHAIN),
        CommittedChain.EMPTY);
    Output afterRestart = restarted.start(3);
    assertThat(restarted.currentView()).isEqualTo(2);
    assertThat(afterRestart.broadcast()).noneMatch(m -> m instanceof Proposal);
    assertThat(restarted.onTick(4).broadcast()).noneMatch(m -> m instanceof Proposal);
  }

  /**
   * Votes go to every validator: a replica that leads neither view forms each QC itself, commits on
   * the second one before any later proposal, and keeps its safety write for its next vote; votes
   * that overtake their proposal wait for it. Restarted from a log that is ahead of its safety file,
   * it takes the tip's QC as its lock.
   */
  @Test
  void aReplicaFormsQcsFromBroadcastVotesAndCommitsWithoutTheNextProposal() {
    PublicKey leader1 = set.leader(1);
    PublicKey leader2 = set.leader(2);
    PublicKey replica = set.keys().stream().filter(k -> !k.equals(leader1) && !k.equals(leader2)
        && !k.equals(set.leader(3))).findFirst().orElseThrow();
    List<PublicKey> voters = set.keys().stream().filter(k -> !k.equals(replica)).toList();
    ConsensusCore node = core(replica);
    node.start(0);
    Proposal first = (Proposal) core(leader1).start(0).broadcast().get(0);
    Block block1 = first.block();

    // Others' votes for block 1 arrive before its proposal: they make a quorum, but wait for the block.
    for (PublicKey voter : voters) {
      Output early = node.onMessage(voter, new VoteMessage(Vote.sign(keyOf(voter), CHAIN, 1, 1, block1.hash(), 0)), 1);
      assertThat(early.direct()).as("no block request: the proposal is on its way").isEmpty();
    }
    assertThat(node.currentView()).isEqualTo(1);
    Output voted1 = node.onMessage(leader1, first, 2);
    assertThat(votesIn(voted1)).hasSize(1);
    assertThat(node.currentView()).as("QC for view 1 formed in the proposal's step").isEqualTo(2);
    assertThat(voted1.safetyStateToPersist().lastVotedView()).isEqualTo(1);

    // View 2: the proposal, then the others' votes; the second QC commits block 1 here, no proposal 3 needed.
    Block block2 = Block.build(CHAIN, 2, block1.hash(), 3, leader2, List.of());
    QuorumCertificate qc1 = node.safetyState().highQc();
    assertThat(qc1.view()).isEqualTo(1);
    Output voted2 = node.onMessage(leader2, Proposal.sign(keyOf(leader2), CHAIN, 2, block2, qc1, Optional.empty()), 3);
    assertThat(votesIn(voted2)).hasSize(1);
    Output committing = null;
    for (PublicKey voter : voters) {
      Output out = node.onMessage(voter, new VoteMessage(Vote.sign(keyOf(voter), CHAIN, 2, 2, block2.hash(), 1)), 4);
      if (!out.committed().isEmpty()) {
        committing = out;
      }
    }
    assertThat(committing).isNotNull();
    assertThat(committing.committed()).extracting(c -> c.block().hash()).containsExactly(block1.hash());
    assertThat(node.currentView()).isEqualTo(3);
    assertThat(node.safetyState().highQc().view()).isEqualTo(2);
    // Nothing was sent in that step, so the new high QC waits for the next vote's write.
    assertThat(committing.safetyStateToPersist()).isNull();
    assertThat(committing.broadcast()).isEmpty();

    // It stops before that write: its log has block 1, its safety file still the high QC of view 1.
    SafetyState onDisk = voted2.safetyStateToPersist();
    assertThat(onDisk.highQc().view()).isEqualTo(1);
    CertifiedBlock tip = committing.committed().get(0);
    ConsensusCore restarted = new ConsensusCore(new ConsensusConfig(set, keyOf(replica), CHAIN, 1000, 10),
        (parent, timestamp, max) -> List.of(), b -> Verification.OK,
        new SafetyState(onDisk.lastVotedView(), ConsensusCore.genesis(CHAIN).qc(), List.of()), tip, CommittedChain.EMPTY);
    assertThat(restarted.safetyState().highQc()).isEqualTo(tip.qc());
    restarted.start(5);
    assertThat(restarted.currentView()).isEqualTo(2);
  }

  @Test
  void aProposalInThisNodesNameIsVerifiedUnlessThisNodeJustSignedIt() {
    PublicKey leader = set.leader(1);
    KeyPair key = keyOf(leader);
    ConsensusCore core = new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10, 200),
        (parent, timestamp, max) -> List.of(), block -> Verification.OK, ConsensusCore.initialSafety(CHAIN),
        ConsensusCore.genesis(CHAIN), CommittedChain.EMPTY);
    assertThat(core.start(100).broadcast()).noneMatch(m -> m instanceof Proposal); // idle: nothing proposed yet
    CertifiedBlock genesis = ConsensusCore.genesis(CHAIN);
    Block block = Block.build(CHAIN, 1, genesis.block().hash(), 100, leader, List.of());
    Proposal genuine = Proposal.sign(key, CHAIN, 1, block, genesis.qc(), Optional.empty());
    KeyPair other = keyOf(follower(leader));
    Proposal forged = new Proposal(1, block, genesis.qc(), Optional.empty(),
        new Signature(leader, Proposal.sign(other, CHAIN, 1, block, genesis.qc(), Optional.empty()).signature().bytes()));

    assertThat(core.onMessage(leader, forged, 110).safetyStateToPersist()).as("no vote for a forgery").isNull();
    assertThat(core.onMessage(leader, genuine, 120).safetyStateToPersist().lastVotedView()).isEqualTo(1);

    // Its own proposal, signed in the step, is voted for (its vote persisted) in that same step.
    ConsensusCore proposer = new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10, 200),
        (parent, timestamp, max) -> List.of(), b -> Verification.OK, ConsensusCore.initialSafety(CHAIN),
        ConsensusCore.genesis(CHAIN), CommittedChain.EMPTY);
    proposer.start(100);
    Output own = proposer.onTick(400);
    assertThat(own.broadcast()).anyMatch(m -> m instanceof Proposal p && p.view() == 1);
    assertThat(own.safetyStateToPersist().lastVotedView()).isEqualTo(1);
  }

  @Test
  void anIdleLeaderProposesAnEmptyBlockOnceTheIntervalHasPassed() {
    PublicKey leader = set.leader(1);
    KeyPair key = keys.stream().filter(k -> k.publicKey().equals(leader)).findFirst().orElseThrow();
    ConsensusCore core = new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10, 200),
        (parent, timestamp, max) -> List.of(), block -> Verification.OK, ConsensusCore.initialSafety(CHAIN),
        ConsensusCore.genesis(CHAIN), CommittedChain.EMPTY);
    assertThat(core.start(100).broadcast()).noneMatch(m -> m instanceof Proposal);
    assertThat(core.onTick(250).broadcast()).anyMatch(m -> m instanceof Proposal);
  }

  /**
   * A validator whose own vote is a quorum certifies its block in the event that proposed it and
   * leads the next view at once. It used to propose again from inside that event, a view deeper on
   * the stack each time, until the stack overflowed; now it proposes once per event and asks for
   * the next one.
   */
  @Test
  void aValidatorWhoseVoteIsAQuorumProposesOncePerEventAndAsksToProposeAgain() {
    KeyPair key = keys.get(0);
    ValidatorSet alone = ValidatorSet.equalStake(List.of(key.publicKey()));
    ConsensusCore core = new ConsensusCore(new ConsensusConfig(alone, key, CHAIN, 1000, 10),
        (parent, timestamp, max) -> List.of(), block -> Verification.OK, ConsensusCore.initialSafety(CHAIN),
        ConsensusCore.genesis(CHAIN), CommittedChain.EMPTY);
    Output out = core.start(0);
    List<CertifiedBlock> committed = new ArrayList<>();
    for (int event = 1; event <= 10; event++) {
      assertThat(out.broadcast().stream().filter(m -> m instanceof Proposal)).hasSize(1);
      assertThat(out.proposeAgain()).isTrue();
      assertThat(out.safetyStateToPersist()).isNotNull();
      committed.addAll(out.committed());
      out = core.onTick(event);
    }
    // Two-chain: the block of view v commits when view v + 1's block is certified.
    assertThat(committed).extracting(CertifiedBlock::height).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    // Eleven events proposed views 1 to 11, each certified at once.
    assertThat(core.currentView()).isEqualTo(12);
  }
}
