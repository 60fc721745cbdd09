package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bft.ConsensusCore;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.Equivocation;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Equivocation evidence survives a restart of the consensus store and still verifies; older certificates stay readable. */
class ConsensusStoreEvidenceTest {
  private static final long CHAIN = 12;

  @TempDir
  Path dir;

  private static Equivocation equivocation(KeyPair leader, long view) {
    var genesis = ConsensusCore.genesis(CHAIN);
    Block a = Block.build(CHAIN, 1, genesis.block().hash(), 1, leader.publicKey(), List.of());
    Block b = Block.build(CHAIN, 1, genesis.block().hash(), 2, leader.publicKey(), List.of());
    return Equivocation.of(CHAIN, Proposal.sign(leader, CHAIN, view, a, genesis.qc(), Optional.empty()),
        Proposal.sign(leader, CHAIN, view, b, genesis.qc(), Optional.empty()));
  }

  @Test
  void evidenceIsKeptPerViewAcrossRestarts() {
    KeyPair leader = KeyPair.generate(new Random(1));
    ValidatorSet validators = ValidatorSet.equalStake(List.of(leader.publicKey()));
    Equivocation first = equivocation(leader, 3);
    try (ConsensusStore store = ConsensusStore.open(dir)) {
      store.saveEvidence(first);
      store.saveEvidence(equivocation(leader, 3)); // the same view again: the first is kept
      store.saveEvidence(equivocation(leader, 9));
    }
    try (ConsensusStore store = ConsensusStore.open(dir)) {
      List<Equivocation> kept = store.evidence();
      assertThat(kept).extracting(Equivocation::view).containsExactly(3L, 9L);
      assertThat(kept.get(0)).isEqualTo(first);
      assertThat(kept).allMatch(e -> e.verify(CHAIN, validators).valid());
    }
  }

  @Test
  void aCertificateKeptHereBeforeCertificatesMovedIntoTheLogIsStillRead() {
    QuorumCertificate legacy = ConsensusCore.genesis(CHAIN).qc();
    LegacyConsensusEntries.write(dir, 'q', 5, legacy.encode());
    try (ConsensusStore store = ConsensusStore.open(dir)) {
      assertThat(store.certificate(5)).hasValue(legacy);
      assertThat(store.certificate(6)).isEmpty();
    }
  }
}
