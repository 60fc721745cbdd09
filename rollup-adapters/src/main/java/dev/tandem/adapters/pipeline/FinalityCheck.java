package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.BoundedMap;
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

  /**
   * The highest height this check can prove when the node reports {@code finalizedHeight}: all of
   * them when the node is trusted; one less with finality proofs, because the tip's proof needs the
   * QC that a later block carries.
   */
  default long provableHeight(long finalizedHeight) {
    return finalizedHeight;
  }

  /** The encoded QC of a height this check accepted, for batches to carry; empty when it has none. */
  default byte[] certificate(long height) {
    return new byte[0];
  }

  /** Accepts every header: the node is trusted to serve only finalized blocks. */
  static FinalityCheck trustingTheNode() {
    return header -> Verification.OK;
  }

  /**
   * Checks each header's {@link FinalityProof} (its QC and its child's) against the sequencer set;
   * {@code proofs} fetches the proof of a height, empty when the node has none.
   */
  static FinalityCheck byFinalityProofs(LongFunction<Optional<FinalityProof>> proofs, ValidatorSet validators) {
    return new FinalityCheck() {
      private final java.util.Map<Long, byte[]> certificates = java.util.Collections.synchronizedMap(
          BoundedMap.insertionOrdered(1024));

      @Override
      public Verification verify(BlockHeader header) {
        Optional<FinalityProof> proof = proofs.apply(header.height());
        if (proof.isEmpty()) {
          return Verification.failed("the node has no finality proof for block " + header.height());
        }
        Verification result = proof.get().verify(header, validators);
        if (result.valid()) {
          certificates.put(header.height(), proof.get().blockQc().encode());
        }
        return result;
      }

      @Override
      public byte[] certificate(long height) {
        return certificates.getOrDefault(height, new byte[0]);
      }

      @Override
      public long provableHeight(long finalizedHeight) {
        return Math.max(0, finalizedHeight - 1);
      }
    };
  }
}
