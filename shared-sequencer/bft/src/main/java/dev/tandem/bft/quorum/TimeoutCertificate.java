package dev.tandem.bft.quorum;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hashing;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Timeouts for one view from more than 2/3 of the stake. Each entry carries the view of that
 * signer's highest QC; {@code highQc} is the highest of those QCs, which a proposal justified by
 * this TC must not go below (the Jolteon voting rule).
 *
 * <p>A timeout signs {@code H(TIMEOUT, u64 chainId, u64 view, u64 highQcView)}. Encoding:
 * {@code u64 chainId, u64 view, u32 count, count x (u64 highQcView, Signature), QC highQc}, entries
 * sorted by signer, strictly increasing.
 */
public record TimeoutCertificate(long chainId, long view, List<Entry> entries, QuorumCertificate highQc) {

  /** One signer's timeout: the view of its highest QC, and its signature. */
  public record Entry(long highQcView, Signature signature) {
    public Entry {
      Objects.requireNonNull(signature, "signature");
    }
  }

  public TimeoutCertificate {
    entries = List.copyOf(entries);
    Objects.requireNonNull(highQc, "highQc");
  }

  public static byte[] signingBytes(long chainId, long view, long highQcView) {
    byte[] body = new CanonicalWriter(24).u64(chainId).u64(view).u64(highQcView).toByteArray();
    return Hashing.hash(Hashing.Domain.TIMEOUT, body).toBytes();
  }

  public static Entry sign(KeyPair key, long chainId, long view, long highQcView) {
    return new Entry(highQcView,
        new Signature(key.publicKey(), key.sign(signingBytes(chainId, view, highQcView))));
  }

  /** Aggregates entries (any order) and the highest QC among the signers'. */
  public static TimeoutCertificate of(long chainId, long view, Collection<Entry> entries, QuorumCertificate highQc) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> a.signature().signer().compareTo(b.signature().signer()));
    return new TimeoutCertificate(chainId, view, sorted, highQc);
  }

  /** The highest QC view any signer reported. */
  public long highQcView() {
    long max = 0;
    for (Entry entry : entries) {
      max = Math.max(max, entry.highQcView());
    }
    return max;
  }

  /**
   * Checks signers (members, no duplicates, quorum), every signature, and that {@code highQc} has
   * exactly the highest reported view and is valid ({@code genesis} is accepted by equality).
   */
  public Verification verify(ValidatorSet validators, QuorumCertificate genesis) {
    if (chainId != genesis.chainId()) {
      return Verification.failed("TC for chain " + chainId + ", expected " + genesis.chainId());
    }
    long stake = 0;
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      Signature signature = entry.signature();
      if (i > 0 && entries.get(i - 1).signature().signer().compareTo(signature.signer()) >= 0) {
        return Verification.failed("duplicate or unsorted TC signer " + signature.signer());
      }
      long memberStake = validators.stakeOf(signature.signer());
      if (memberStake == 0) {
        return Verification.failed("TC signer " + signature.signer() + " is not in the validator set");
      }
      if (entry.highQcView() >= view) {
        return Verification.failed("TC entry reports a QC of view " + entry.highQcView() + " not below " + view);
      }
      if (!signature.verify(signingBytes(chainId, view, entry.highQcView()))) {
        return Verification.failed("timeout signature by " + signature.signer() + " does not verify");
      }
      stake += memberStake;
    }
    if (!validators.isQuorum(stake)) {
      return Verification.failed("TC signers hold stake " + stake + " of " + validators.totalStake()
          + ", not more than 2/3");
    }
    if (highQc.view() != highQcView()) {
      return Verification.failed("TC carries a QC of view " + highQc.view() + " but the highest reported is "
          + highQcView());
    }
    if (highQc.equals(genesis)) {
      return Verification.OK;
    }
    Verification qc = highQc.verify(validators);
    return qc.valid() ? Verification.OK : Verification.failed("TC high QC: " + qc.reason());
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u64(chainId).u64(view).u32(entries.size());
    for (Entry entry : entries) {
      writer.u64(entry.highQcView());
      entry.signature().writeTo(writer);
    }
    highQc.writeTo(writer);
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(256);
    writeTo(writer);
    return writer.toByteArray();
  }

  public static TimeoutCertificate read(CanonicalReader reader) {
    long chainId = reader.u64("chain id");
    long view = reader.unsigned63("view");
    int count = reader.count(ValidatorSet.MAX_VALIDATORS, "TC entry");
    if ((long) count * (8 + Signature.ENCODED_LENGTH) > reader.remaining()) {
      throw new DecodingException("truncated TC: " + count + " entries");
    }
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Entry entry = new Entry(reader.unsigned63("high QC view"), Signature.read(reader));
      if (i > 0 && entries.get(i - 1).signature().signer().compareTo(entry.signature().signer()) >= 0) {
        throw new DecodingException("TC signers must be strictly increasing (duplicate or unsorted) at index " + i);
      }
      entries.add(entry);
    }
    return new TimeoutCertificate(chainId, view, entries, QuorumCertificate.read(reader));
  }

  public static TimeoutCertificate decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    TimeoutCertificate tc = read(reader);
    reader.end();
    return tc;
  }

  @Override
  public String toString() {
    return "TC(view=" + view + ", " + entries.size() + " timeouts, highQc view " + highQc.view() + ")";
  }
}
