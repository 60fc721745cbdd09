package dev.tandem.adapters.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SliceVerifierTest {
  private static final long CHAIN = 5;
  private static final Namespace ROLLUP = Namespace.of(900);
  private final Random random = new Random(9);
  private final List<KeyPair> validators = List.of(KeyPair.generate(random), KeyPair.generate(random),
      KeyPair.generate(random), KeyPair.generate(random));
  private final ValidatorSet set = ValidatorSet.equalStake(validators.stream().map(KeyPair::publicKey).toList());
  private final KeyPair user = KeyPair.generate(random);

  private final Block block = Block.build(CHAIN, 10, Hash.ZERO, 1000, validators.get(0).publicKey(), List.of(
      Transaction.sign(CHAIN, ROLLUP, 0, 1, new byte[] {1}, user),
      Transaction.sign(CHAIN, ROLLUP, 1, 1, new byte[] {2}, user),
      Transaction.sign(CHAIN, Namespace.of(7), 2, 1, new byte[] {3}, user),
      Transaction.sign(CHAIN, ROLLUP, 3, 1, new byte[] {4}, user)));
  private final Block child = Block.build(CHAIN, 11, block.hash(), 1200, validators.get(1).publicKey(), List.of());

  private QuorumCertificate qc(BlockHeader header, long view, long parentView, int signers) {
    List<Signature> signatures = new ArrayList<>();
    for (int i = 0; i < signers; i++) {
      signatures.add(Vote.sign(validators.get(i), CHAIN, view, header.height(), header.hash(), parentView).signature());
    }
    return QuorumCertificate.of(CHAIN, view, header.height(), header.hash(), parentView, signatures);
  }

  private FinalityProof honestProof() {
    return new FinalityProof(qc(block.header(), 20, 19, 3), child.header(), qc(child.header(), 21, 20, 3));
  }

  @Test
  void acceptsAFinalCompleteSlice() {
    FinalityProof proof = FinalityProof.decode(honestProof().encode());
    assertThat(SliceVerifier.verify(block.header(), proof, set, block.slice(ROLLUP)).valid()).isTrue();
  }

  @Test
  void detectsDroppedReorderedAndAddedTransactions() {
    NamespaceSlice honest = block.slice(ROLLUP);
    List<Transaction> dropped = new ArrayList<>(honest.transactions());
    dropped.remove(1);
    List<Transaction> reordered = new ArrayList<>(honest.transactions());
    Collections.swap(reordered, 0, 2);
    List<Transaction> added = new ArrayList<>(honest.transactions());
    added.add(Transaction.sign(CHAIN, ROLLUP, 9, 1, new byte[] {9}, user));
    for (List<Transaction> tampered : List.of(dropped, reordered, added)) {
      NamespaceSlice slice = new NamespaceSlice(honest.height(), ROLLUP, tampered, honest.proof());
      var result = SliceVerifier.verify(block.header(), honestProof(), set, slice);
      assertThat(result.valid()).isFalse();
      assertThat(result.reason()).startsWith("slice: ");
    }
  }

  @Test
  void detectsAForgedSignatureAndTooFewSigners() {
    QuorumCertificate good = qc(block.header(), 20, 19, 3);
    List<Signature> forged = new ArrayList<>(good.signatures());
    byte[] bytes = forged.get(1).bytes();
    bytes[5] ^= 1;
    forged.set(1, new Signature(forged.get(1).signer(), bytes));
    QuorumCertificate forgedQc = new QuorumCertificate(CHAIN, 20, good.height(), good.blockHash(), 19, forged);
    FinalityProof withForgery = new FinalityProof(forgedQc, child.header(), qc(child.header(), 21, 20, 3));
    var result = SliceVerifier.verify(block.header(), withForgery, set, block.slice(ROLLUP));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("does not verify");

    FinalityProof twoOfFour = new FinalityProof(qc(block.header(), 20, 19, 2), child.header(),
        qc(child.header(), 21, 20, 3));
    assertThat(SliceVerifier.verify(block.header(), twoOfFour, set, block.slice(ROLLUP)).reason()).contains("2/3");
  }

  @Test
  void aCertifiedButNotYetFinalBlockIsRejected() {
    FinalityProof gap = new FinalityProof(qc(block.header(), 20, 19, 3), child.header(), qc(child.header(), 23, 20, 3));
    assertThat(SliceVerifier.verify(block.header(), gap, set, block.slice(ROLLUP)).reason()).contains("not yet final");
    ValidatorSet strangers = ValidatorSet.equalStake(List.of(KeyPair.generate(random).publicKey(),
        KeyPair.generate(random).publicKey(), KeyPair.generate(random).publicKey(), KeyPair.generate(random).publicKey()));
    assertThat(SliceVerifier.verify(block.header(), honestProof(), strangers, block.slice(ROLLUP)).reason())
        .contains("not in the validator set");
  }

  @Test
  void aBlockFinalizedAfterAViewChangeIsProvedThroughTheCommittingDescendant() {
    // The child was certified in view 22 (view 21 timed out); the grandchild in view 23 commits both.
    Block grandchild = Block.build(CHAIN, 12, child.hash(), 1400, validators.get(2).publicKey(), List.of());
    FinalityProof proof = FinalityProof.decode(new FinalityProof(qc(block.header(), 20, 19, 3),
        List.of(child.header(), grandchild.header()), qc(grandchild.header(), 23, 22, 3)).encode());
    assertThat(SliceVerifier.verify(block.header(), proof, set, block.slice(ROLLUP)).valid()).isTrue();

    // The child alone does not prove it: its QC is not in the view after the block's.
    FinalityProof childOnly = new FinalityProof(qc(block.header(), 20, 19, 3), child.header(), qc(child.header(), 22, 20, 3));
    assertThat(SliceVerifier.verify(block.header(), childOnly, set, block.slice(ROLLUP)).reason()).contains("not yet final");

    // A substituted middle header breaks the hash chain to the committing block.
    Block otherChild = Block.build(CHAIN, 11, block.hash(), 1201, validators.get(1).publicKey(), List.of());
    FinalityProof spliced = new FinalityProof(qc(block.header(), 20, 19, 3),
        List.of(otherChild.header(), grandchild.header()), qc(grandchild.header(), 23, 22, 3));
    assertThat(SliceVerifier.verify(block.header(), spliced, set, block.slice(ROLLUP)).reason())
        .contains("does not extend the one before it");

    // The committing QC itself must be in the view right after its parent's.
    FinalityProof gap = new FinalityProof(qc(block.header(), 20, 19, 3),
        List.of(child.header(), grandchild.header()), qc(grandchild.header(), 25, 22, 3));
    assertThat(SliceVerifier.verify(block.header(), gap, set, block.slice(ROLLUP)).reason()).contains("not yet final");
  }

  @Test
  void malformedProofEncodingsAreRejectedWithAReason() {
    byte[] honest = honestProof().encode();
    assertThatThrownBy(() -> FinalityProof.decode(Arrays.copyOf(honest, honest.length - 1)))
        .isInstanceOf(DecodingException.class);
    byte[] trailing = Arrays.copyOf(honest, honest.length + 1);
    assertThatThrownBy(() -> FinalityProof.decode(trailing)).isInstanceOf(DecodingException.class);
    int countOffset = qc(block.header(), 20, 19, 3).encode().length;
    byte[] noHeaders = honest.clone();
    noHeaders[countOffset + 3] = 0;
    assertThatThrownBy(() -> FinalityProof.decode(noHeaders)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("at least one descendant header");
    byte[] tooMany = honest.clone();
    tooMany[countOffset + 2] = 1;
    assertThatThrownBy(() -> FinalityProof.decode(tooMany)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("exceeds the limit of " + FinalityProof.MAX_PATH);
  }
}
