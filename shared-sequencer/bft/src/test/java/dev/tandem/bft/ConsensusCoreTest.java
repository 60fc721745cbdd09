package dev.tandem.bft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.bft.ConsensusMessage.BlockRequest;
import dev.tandem.bft.ConsensusMessage.BlockResponse;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.ConsensusMessage.Timeout;
import dev.tandem.bft.ConsensusMessage.VoteMessage;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.Block;
import dev.tandem.core.DecodingException;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
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
    return new ConsensusCore(new ConsensusConfig(set, key, CHAIN, 1000, 10), (parent, max) -> List.of(),
        block -> Verification.OK, ConsensusCore.initialSafety(CHAIN), ConsensusCore.genesis(CHAIN),
        CommittedChain.EMPTY);
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
    assertThat(voted.direct()).hasSize(1);
    assertThat(voted.direct().get(0).to()).isEqualTo(set.leader(2));
    VoteMessage vote = (VoteMessage) voted.direct().get(0).message();
    assertThat(vote.vote().blockHash()).isEqualTo(proposal.block().hash());
    assertThat(vote.vote().verify(set).valid()).isTrue();

    // Same view again, and a conflicting block for that view: no second vote.
    assertThat(follower.onMessage(leader, proposal, 11).direct()).isEmpty();
    Block other = Block.build(CHAIN, 1, proposal.block().header().parentHash(), 5, leader, List.of());
    Output conflicting = follower.onMessage(leader, new Proposal(1, other, proposal.justify(), Optional.empty()), 12);
    assertThat(conflicting.direct()).isEmpty();
    assertThat(conflicting.safetyStateToPersist()).isNull();
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
        new Proposal(1, block, ConsensusCore.genesis(CHAIN).qc(), Optional.empty()), 1);
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
    VoteMessage vote = (VoteMessage) node.onMessage(leader, proposal, 1).direct().get(0).message();
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
    assertThat(SafetyState.decode(node.safetyState().encode())).isEqualTo(node.safetyState());
  }
}
