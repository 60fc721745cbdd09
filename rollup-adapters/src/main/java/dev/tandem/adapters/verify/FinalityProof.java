package dev.tandem.adapters.verify;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Verification;

/**
 * Evidence that a block is final under Tandem's two-chain commit rule: a quorum certificate for
 * the block (view v) and one for a child block proposed in view v+1 directly on top of it. Once
 * such a child QC exists, every honest validator is locked on the block and no conflicting block
 * can ever be certified (docs/consensus.md).
 *
 * <p>Encoding: {@code blockQc, childHeader, childQc} (each in its own canonical encoding).
 */
public record FinalityProof(QuorumCertificate blockQc, BlockHeader childHeader, QuorumCertificate childQc) {

  /** Checks the proof for {@code header} against the sequencer set. */
  public Verification verify(BlockHeader header, ValidatorSet validators) {
    if (blockQc.chainId() != header.chainId() || childQc.chainId() != header.chainId()) {
      return Verification.failed("certificates are for another chain than the header");
    }
    if (!blockQc.blockHash().equals(header.hash()) || blockQc.height() != header.height()) {
      return Verification.failed("the block's QC certifies another block");
    }
    Verification blockQcCheck = blockQc.verify(validators);
    if (!blockQcCheck.valid()) {
      return Verification.failed("block QC: " + blockQcCheck.reason());
    }
    if (!childHeader.parentHash().equals(header.hash()) || childHeader.height() != header.height() + 1) {
      return Verification.failed("the child header does not extend the block");
    }
    if (!childQc.blockHash().equals(childHeader.hash()) || childQc.height() != childHeader.height()) {
      return Verification.failed("the child QC certifies another block than the child header");
    }
    if (childQc.parentView() != blockQc.view() || childQc.view() != blockQc.view() + 1) {
      return Verification.failed("the child was not certified in the view right after the block (views "
          + blockQc.view() + " and " + childQc.view() + "): the block is certified but not yet final");
    }
    Verification childQcCheck = childQc.verify(validators);
    if (!childQcCheck.valid()) {
      return Verification.failed("child QC: " + childQcCheck.reason());
    }
    return Verification.OK;
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(512);
    blockQc.writeTo(writer);
    childHeader.writeTo(writer);
    childQc.writeTo(writer);
    return writer.toByteArray();
  }

  public static FinalityProof decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    FinalityProof proof = new FinalityProof(QuorumCertificate.read(reader), BlockHeader.read(reader),
        QuorumCertificate.read(reader));
    reader.end();
    return proof;
  }
}
