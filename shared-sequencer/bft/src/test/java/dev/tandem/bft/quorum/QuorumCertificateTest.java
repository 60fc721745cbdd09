package dev.tandem.bft.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuorumCertificateTest {
  private static final long CHAIN = 7;
  private final List<KeyPair> keys = new ArrayList<>();
  private final ValidatorSet set;
  private final Hash block = Hashing.hash(Hashing.Domain.BLOCK_HEADER, new byte[] {1});

  QuorumCertificateTest() {
    Random random = new Random(1);
    List<PublicKey> publics = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      KeyPair key = KeyPair.generate(random);
      keys.add(key);
      publics.add(key.publicKey());
    }
    set = ValidatorSet.equalStake(publics);
  }

  private QuorumCertificate qcBy(List<KeyPair> signers) {
    List<Signature> signatures = new ArrayList<>();
    for (KeyPair key : signers) {
      signatures.add(Vote.sign(key, CHAIN, 5, 3, block, 4).signature());
    }
    return QuorumCertificate.of(CHAIN, 5, 3, block, 4, signatures);
  }

  @Test
  void quorumOfThreeOfFourVerifiesAndRoundTrips() {
    QuorumCertificate qc = qcBy(keys.subList(0, 3));
    assertThat(qc.verify(set)).isEqualTo(Verification.OK);
    assertThat(QuorumCertificate.decode(qc.encode())).isEqualTo(qc);
  }

  @Test
  void insufficientStakeIsRejected() {
    Verification result = qcBy(keys.subList(0, 2)).verify(set);
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("not more than 2/3");
  }

  @Test
  void forgedSignatureIsRejected() {
    QuorumCertificate good = qcBy(keys.subList(0, 3));
    List<Signature> signatures = new ArrayList<>(good.signatures());
    byte[] forged = signatures.get(1).bytes();
    forged[10] ^= 1;
    signatures.set(1, new Signature(signatures.get(1).signer(), forged));
    QuorumCertificate bad = new QuorumCertificate(CHAIN, 5, 3, block, 4, signatures);
    assertThat(bad.verify(set).reason()).contains("does not verify");
    // A signature over another block does not count either.
    QuorumCertificate otherBlock = new QuorumCertificate(CHAIN, 5, 3, Hash.ZERO, 4, good.signatures());
    assertThat(otherBlock.verify(set).valid()).isFalse();
  }

  @Test
  void onlyTheSignaturesTheCallerVouchesForSkipTheirCheck() {
    QuorumCertificate good = qcBy(keys.subList(0, 3));
    List<Signature> signatures = new ArrayList<>(good.signatures());
    byte[] forged = signatures.get(1).bytes();
    forged[10] ^= 1;
    Signature bad = new Signature(signatures.get(1).signer(), forged);
    signatures.set(1, bad);
    QuorumCertificate withBad = new QuorumCertificate(CHAIN, 5, 3, block, 4, signatures);
    // Vouching for the genuine signatures does not cover the bad one; vouching for it does (the caller's promise).
    assertThat(withBad.verify(set, good.signatures()::contains).valid()).isFalse();
    assertThat(withBad.verify(set, bad::equals).valid()).isTrue();
    // Membership, order and quorum are still checked for vouched signatures.
    assertThat(qcBy(keys.subList(0, 2)).verify(set, signature -> true).valid()).isFalse();
    assertThat(good.voteOf(good.signatures().get(0)).verify(set).valid()).isTrue();
  }

  @Test
  void duplicateSignerIsRejectedByVerifyAndDecode() {
    QuorumCertificate two = qcBy(keys.subList(0, 2));
    List<Signature> signatures = new ArrayList<>(two.signatures());
    signatures.add(signatures.get(1));
    QuorumCertificate dup = new QuorumCertificate(CHAIN, 5, 3, block, 4, signatures);
    assertThat(dup.verify(set).reason()).contains("duplicate signer");
    assertThatThrownBy(() -> QuorumCertificate.decode(dup.encode())).isInstanceOf(DecodingException.class)
        .hasMessageContaining("strictly increasing");
  }

  @Test
  void wrongValidatorSetIsRejected() {
    Random random = new Random(2);
    List<PublicKey> others = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      others.add(KeyPair.generate(random).publicKey());
    }
    Verification result = qcBy(keys.subList(0, 3)).verify(ValidatorSet.equalStake(others));
    assertThat(result.reason()).contains("not in the validator set");
  }

  @Test
  void stakeWeightDecides() {
    List<ValidatorSet.Member> members = new ArrayList<>();
    members.add(new ValidatorSet.Member(keys.get(0).publicKey(), 70));
    for (int i = 1; i < 4; i++) {
      members.add(new ValidatorSet.Member(keys.get(i).publicKey(), 10));
    }
    ValidatorSet weighted = ValidatorSet.of(members);
    assertThat(qcBy(List.of(keys.get(0))).verify(weighted).valid()).isTrue();
    assertThat(qcBy(keys.subList(1, 4)).verify(weighted).valid()).isFalse();
    assertThat(ValidatorSet.decode(weighted.encode())).isEqualTo(weighted);
  }

  @Test
  void timeoutCertificateVerifiesAndChecksHighQc() {
    QuorumCertificate high = qcBy(keys.subList(0, 3));
    List<TimeoutCertificate.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      entries.add(TimeoutCertificate.sign(keys.get(i), CHAIN, 9, i == 0 ? 5 : 2));
    }
    QuorumCertificate genesis = QuorumCertificate.genesis(CHAIN, Hash.ZERO);
    TimeoutCertificate tc = TimeoutCertificate.of(CHAIN, 9, entries, high);
    assertThat(tc.verify(set, genesis)).isEqualTo(Verification.OK);
    assertThat(TimeoutCertificate.decode(tc.encode())).isEqualTo(tc);
    TimeoutCertificate lying = TimeoutCertificate.of(CHAIN, 9, entries, genesis);
    assertThat(lying.verify(set, genesis).reason()).contains("highest reported");
    TimeoutCertificate few = TimeoutCertificate.of(CHAIN, 9, entries.subList(0, 2), high);
    assertThat(few.verify(set, genesis).reason()).contains("not more than 2/3");
  }

  @Test
  void truncatedAndTrailingBytesAreRejected() {
    byte[] encoded = qcBy(keys.subList(0, 3)).encode();
    for (int cut = 0; cut < encoded.length; cut += 7) {
      byte[] truncated = Arrays.copyOf(encoded, cut);
      assertThatThrownBy(() -> QuorumCertificate.decode(truncated)).isInstanceOf(DecodingException.class);
    }
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> QuorumCertificate.decode(trailing)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void leaderElectionIsDeterministicAndCoversMembers() {
    java.util.Set<PublicKey> seen = new java.util.HashSet<>();
    for (long view = 1; view < 200; view++) {
      assertThat(set.leader(view)).isEqualTo(set.leader(view));
      seen.add(set.leader(view));
    }
    assertThat(seen).hasSize(4);
  }
}
