package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Verification;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Whether a block header read from a node is final. The seam where quorum certificates are checked:
 * {@link #trustingTheNode()} for a node the operator runs (its log is its own consensus output),
 * {@link #byFinalityProofs} once the node serves finality proofs.
 */
@FunctionalInterface
public interface FinalityCheck {
  Verification verify(BlockHeader header);

  /** Accepts every header: the node is trusted to serve only finalized blocks. */
  static FinalityCheck trustingTheNode() {
    return header -> Verification.OK;
  }

  /**
   * Checks each header's {@link FinalityProof} (its QC and its child's) against the sequencer set;
   * {@code proofs} fetches the proof of a height, empty when the node has none.
   */
  static FinalityCheck byFinalityProofs(LongFunction<Optional<FinalityProof>> proofs, ValidatorSet validators) {
    return header -> proofs.apply(header.height())
        .map(proof -> proof.verify(header, validators))
        .orElseGet(() -> Verification.failed("the node has no finality proof for block " + header.height()));
  }
}
