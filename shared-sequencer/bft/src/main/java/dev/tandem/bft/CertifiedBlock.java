package dev.tandem.bft;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.core.Block;
import java.util.Objects;

/** A block with a QC that certifies it ({@code qc.blockHash() == block.hash()}). */
public record CertifiedBlock(Block block, QuorumCertificate qc) {
  public CertifiedBlock {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(qc, "qc");
  }

  public long height() {
    return block.height();
  }
}
