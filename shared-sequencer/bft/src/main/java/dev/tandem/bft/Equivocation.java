package dev.tandem.bft;

import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Verification;
import java.util.Objects;

/**
 * Evidence that a leader signed two different blocks for one view: self-contained, so that anyone
 * holding the validator set can check it ({@link #verify}) and slashing can act on it.
 *
 * <p>Encoding: {@code u64 chainId, u64 view, bytes32 blockA, Signature a, bytes32 blockB, Signature b},
 * with {@code blockA < blockB} bytewise so that one equivocation has one encoding.
 */
public record Equivocation(long chainId, long view, Hash blockA, Signature signatureA, Hash blockB,
    Signature signatureB) {
  public Equivocation {
    Objects.requireNonNull(blockA, "blockA");
    Objects.requireNonNull(signatureA, "signatureA");
    Objects.requireNonNull(blockB, "blockB");
    Objects.requireNonNull(signatureB, "signatureB");
  }

  /** The evidence from two signed proposals for the same view, in canonical order. */
  public static Equivocation of(long chainId, ConsensusMessage.Proposal first, ConsensusMessage.Proposal second) {
    if (first.view() != second.view()) {
      throw new IllegalArgumentException("proposals for views " + first.view() + " and " + second.view());
    }
    boolean ordered = java.util.Arrays.compareUnsigned(first.block().hash().toBytes(),
        second.block().hash().toBytes()) < 0;
    ConsensusMessage.Proposal a = ordered ? first : second;
    ConsensusMessage.Proposal b = ordered ? second : first;
    return new Equivocation(chainId, first.view(), a.block().hash(), a.signature(), b.block().hash(), b.signature());
  }

  /** The validator that equivocated. */
  public dev.tandem.core.PublicKey leader() {
    return signatureA.signer();
  }

  /** Valid when both signatures are the view's leader's, over two different blocks of this chain. */
  public Verification verify(long expectedChainId, ValidatorSet validators) {
    if (chainId != expectedChainId) {
      return Verification.failed("evidence is for chain " + chainId);
    }
    if (blockA.equals(blockB)) {
      return Verification.failed("both signatures are for the same block");
    }
    var leader = validators.leader(view);
    if (!signatureA.signer().equals(leader) || !signatureB.signer().equals(leader)) {
      return Verification.failed("signers are not the leader of view " + view + " (" + leader + ")");
    }
    if (!signatureA.verify(ConsensusMessage.Proposal.signingBytes(chainId, view, blockA))
        || !signatureB.verify(ConsensusMessage.Proposal.signingBytes(chainId, view, blockB))) {
      return Verification.failed("a proposal signature does not verify");
    }
    return Verification.OK;
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(16 + 2 * (32 + Signature.ENCODED_LENGTH));
    writer.u64(chainId).u64(view).hash(blockA);
    signatureA.writeTo(writer);
    writer.hash(blockB);
    signatureB.writeTo(writer);
    return writer.toByteArray();
  }

  public static Equivocation decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    long chainId = reader.u64("chain id");
    long view = reader.unsigned63("view");
    Hash a = reader.hash("block A");
    Signature signatureA = Signature.read(reader);
    Hash b = reader.hash("block B");
    Signature signatureB = Signature.read(reader);
    reader.end();
    if (java.util.Arrays.compareUnsigned(a.toBytes(), b.toBytes()) >= 0) {
      throw new DecodingException("equivocation blocks must be in ascending order");
    }
    return new Equivocation(chainId, view, a, signatureA, b, signatureB);
  }
}
