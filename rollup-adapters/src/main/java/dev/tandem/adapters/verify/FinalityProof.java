package dev.tandem.adapters.verify;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.List;

/**
 * Evidence that a block is final under Tandem's two-chain commit rule (docs/consensus.md): a QC
 * {@code q} for a block {@code B} with {@code q.parentView == q.view - 1} commits {@code B}'s parent
 * and every ancestor. The proof carries the block's own QC, the headers from the block's child up
 * to {@code B} (each extending the previous), and {@code q}. Usually {@code B} is the block's child
 * (one header); after a view change the block may have become final only through a later pair, and
 * the path is longer.
 *
 * <p>Encoding: {@code blockQc, u32 count (1..MAX_PATH), count x header, commitQc} (each in its own
 * canonical encoding).
 */
public record FinalityProof(QuorumCertificate blockQc, List<BlockHeader> path, QuorumCertificate commitQc) {
  /** Longest path a proof may carry; a node finds a committing pair long before (one per view with a live leader). */
  public static final int MAX_PATH = 64;

  public FinalityProof {
    path = List.copyOf(path);
    if (path.isEmpty() || path.size() > MAX_PATH) {
      throw new IllegalArgumentException("a finality proof carries 1 to " + MAX_PATH + " descendant headers, got " + path.size());
    }
  }

  /** The common case: the block's child was certified in the view right after the block. */
  public FinalityProof(QuorumCertificate blockQc, BlockHeader child, QuorumCertificate childQc) {
    this(blockQc, List.of(child), childQc);
  }

  /** Checks the proof for {@code header} against the sequencer set. */
  public Verification verify(BlockHeader header, ValidatorSet validators) {
    if (blockQc.chainId() != header.chainId() || commitQc.chainId() != header.chainId()) {
      return Verification.failed("certificates are for another chain than the header");
    }
    if (!blockQc.blockHash().equals(header.hash()) || blockQc.height() != header.height()) {
      return Verification.failed("the block's QC certifies another block");
    }
    Verification blockQcCheck = blockQc.verify(validators);
    if (!blockQcCheck.valid()) {
      return Verification.failed("block QC: " + blockQcCheck.reason());
    }
    BlockHeader parent = header;
    for (BlockHeader descendant : path) {
      if (!descendant.parentHash().equals(parent.hash()) || descendant.height() != parent.height() + 1) {
        return Verification.failed(parent == header ? "the child header does not extend the block"
            : "the header at height " + descendant.height() + " does not extend the one before it");
      }
      parent = descendant;
    }
    BlockHeader committing = path.get(path.size() - 1);
    if (!commitQc.blockHash().equals(committing.hash()) || commitQc.height() != committing.height()) {
      return Verification.failed("the commit QC certifies another block than the last header");
    }
    boolean consecutive = commitQc.parentView() == commitQc.view() - 1
        && (path.size() > 1 || commitQc.parentView() == blockQc.view());
    if (!consecutive) {
      return Verification.failed("the commit QC (view " + commitQc.view() + ", parent certified in view "
          + commitQc.parentView() + ") was not formed in the view right after its parent's QC (block QC view "
          + blockQc.view() + "): the block is certified but not yet final");
    }
    Verification commitQcCheck = commitQc.verify(validators);
    if (!commitQcCheck.valid()) {
      return Verification.failed("commit QC: " + commitQcCheck.reason());
    }
    return Verification.OK;
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(512 + path.size() * BlockHeader.ENCODED_LENGTH);
    blockQc.writeTo(writer);
    writer.u32(path.size());
    for (BlockHeader descendant : path) {
      descendant.writeTo(writer);
    }
    commitQc.writeTo(writer);
    return writer.toByteArray();
  }

  public static FinalityProof decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    QuorumCertificate blockQc = QuorumCertificate.read(reader);
    int count = reader.count(MAX_PATH, "finality proof header");
    if (count == 0) {
      throw new DecodingException("a finality proof needs at least one descendant header");
    }
    List<BlockHeader> path = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      path.add(BlockHeader.read(reader));
    }
    FinalityProof proof = new FinalityProof(blockQc, path, QuorumCertificate.read(reader));
    reader.end();
    return proof;
  }
}
