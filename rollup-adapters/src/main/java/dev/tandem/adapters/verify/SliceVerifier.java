package dev.tandem.adapters.verify;

import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Verification;

/**
 * The standalone verifier a rollup runs on its own side: given a block header, its finality proof,
 * the sequencer set and one namespace's slice, it says whether the slice is final, complete and
 * correctly ordered. Trusts nothing but the sequencer set.
 */
public final class SliceVerifier {
  private SliceVerifier() {}

  public static Verification verify(BlockHeader header, FinalityProof finality, ValidatorSet validators,
      NamespaceSlice slice) {
    Verification finalityCheck = finality.verify(header, validators);
    if (!finalityCheck.valid()) {
      return Verification.failed("not final: " + finalityCheck.reason());
    }
    Verification sliceCheck = slice.verify(header);
    if (!sliceCheck.valid()) {
      return Verification.failed("slice: " + sliceCheck.reason());
    }
    return Verification.OK;
  }
}
