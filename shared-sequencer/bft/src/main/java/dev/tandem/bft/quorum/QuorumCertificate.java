package dev.tandem.bft.quorum;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Votes of more than 2/3 of the stake for one block in one view. Signatures are sorted by signer,
 * strictly increasing (so no signer counts twice and equal QCs encode equally).
 *
 * <p>Encoding: {@code u64 chainId, u64 view, u64 height, bytes32 blockHash, u64 parentView,
 * u32 count, count x Signature}. The genesis QC (view 0, no signatures) certifies the genesis block
 * and is never accepted by {@link #verify}: callers compare it to their own genesis QC.
 */
public record QuorumCertificate(long chainId, long view, long height, Hash blockHash, long parentView,
    List<Signature> signatures) {

  public QuorumCertificate {
    Objects.requireNonNull(blockHash, "blockHash");
    signatures = List.copyOf(signatures);
  }

  public static QuorumCertificate genesis(long chainId, Hash genesisBlockHash) {
    return new QuorumCertificate(chainId, 0, 0, genesisBlockHash, 0, List.of());
  }

  /** Aggregates signatures (any order) for the given vote content; sorts them by signer. */
  public static QuorumCertificate of(long chainId, long view, long height, Hash blockHash, long parentView,
      Collection<Signature> signatures) {
    List<Signature> sorted = new ArrayList<>(signatures);
    sorted.sort((a, b) -> a.signer().compareTo(b.signer()));
    return new QuorumCertificate(chainId, view, height, blockHash, parentView, sorted);
  }

  public boolean isGenesis() {
    return view == 0 && signatures.isEmpty();
  }

  public byte[] signingBytes() {
    return Vote.signingBytes(chainId, view, height, blockHash, parentView);
  }

  /** The vote that {@code signature}, one of this QC's, stands for. */
  public Vote voteOf(Signature signature) {
    return new Vote(chainId, view, height, blockHash, parentView, signature);
  }

  /** Checks membership, no duplicates, every signature, and that the signers hold a quorum of stake. */
  public Verification verify(ValidatorSet validators) {
    return verify(validators, signature -> false);
  }

  /**
   * As {@link #verify(ValidatorSet)}, but a signature for which {@code alreadyVerified} holds (the
   * caller produced or checked that exact vote before) is taken without its Ed25519 check.
   */
  public Verification verify(ValidatorSet validators, Predicate<Signature> alreadyVerified) {
    if (view == 0) {
      return Verification.failed("a view-0 QC is the genesis QC, accepted only by equality");
    }
    if (parentView >= view) {
      return Verification.failed("QC parent view " + parentView + " is not below its view " + view);
    }
    byte[] message = signingBytes();
    long stake = 0;
    for (int i = 0; i < signatures.size(); i++) {
      Signature signature = signatures.get(i);
      if (i > 0 && signatures.get(i - 1).signer().compareTo(signature.signer()) >= 0) {
        return Verification.failed(signatures.get(i - 1).signer().equals(signature.signer())
            ? "duplicate signer " + signature.signer() : "signers are not sorted at index " + i);
      }
      long memberStake = validators.stakeOf(signature.signer());
      if (memberStake == 0) {
        return Verification.failed("signer " + signature.signer() + " is not in the validator set");
      }
      if (!alreadyVerified.test(signature) && !signature.verify(message)) {
        return Verification.failed("signature by " + signature.signer() + " does not verify");
      }
      stake += memberStake;
    }
    if (!validators.isQuorum(stake)) {
      return Verification.failed("signers hold stake " + stake + " of " + validators.totalStake()
          + ", not more than 2/3");
    }
    return Verification.OK;
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u64(chainId).u64(view).u64(height).hash(blockHash).u64(parentView).u32(signatures.size());
    for (Signature signature : signatures) {
      signature.writeTo(writer);
    }
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(68 + signatures.size() * Signature.ENCODED_LENGTH);
    writeTo(writer);
    return writer.toByteArray();
  }

  public static QuorumCertificate read(CanonicalReader reader) {
    long chainId = reader.u64("chain id");
    long view = reader.unsigned63("view");
    long height = reader.unsigned63("height");
    Hash blockHash = reader.hash("block hash");
    long parentView = reader.unsigned63("parent view");
    int count = reader.count(ValidatorSet.MAX_VALIDATORS, "QC signature");
    if ((long) count * Signature.ENCODED_LENGTH > reader.remaining()) {
      throw new DecodingException("truncated QC: " + count + " signatures");
    }
    List<Signature> signatures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Signature signature = Signature.read(reader);
      if (i > 0 && signatures.get(i - 1).signer().compareTo(signature.signer()) >= 0) {
        throw new DecodingException("QC signers must be strictly increasing (duplicate or unsorted) at index " + i);
      }
      signatures.add(signature);
    }
    return new QuorumCertificate(chainId, view, height, blockHash, parentView, signatures);
  }

  public static QuorumCertificate decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    QuorumCertificate qc = read(reader);
    reader.end();
    return qc;
  }

  @Override
  public String toString() {
    return "QC(view=" + view + ", height=" + height + ", " + blockHash.toHex().substring(0, 12) + ", parentView="
        + parentView + ", " + signatures.size() + " sigs)";
  }
}
