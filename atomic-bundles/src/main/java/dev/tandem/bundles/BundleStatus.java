package dev.tandem.bundles;

import dev.tandem.core.Hash;
import java.util.List;
import java.util.Objects;

/**
 * A bundle revision's status as {@code tandem_getBundleStatus} reports it. {@code bundleId} is null
 * only for a cancel that arrived before any revision; {@code includedHeight} is -1 and
 * {@code includedBlockHash} null unless the state is {@link BundleState#INCLUDED}. The per-leg
 * proofs of an included bundle come from {@link BundleReceipt#forBundle} on the block at
 * {@code includedHeight}.
 */
public record BundleStatus(Hash bundleKey, Hash bundleId, long revision, BundleState state, String reason,
    long includedHeight, Hash includedBlockHash, List<LegRef> legs) {
  public BundleStatus {
    Objects.requireNonNull(bundleKey, "bundleKey");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(reason, "reason");
    legs = legs == null ? List.of() : List.copyOf(legs);
  }

  static BundleStatus of(Bundle bundle, BundleState state, String reason) {
    return new BundleStatus(bundle.key(), bundle.id(), bundle.revision(), state, reason, -1, null,
        bundle.manifest().manifest().legs());
  }

  BundleStatus with(BundleState newState, String newReason) {
    return new BundleStatus(bundleKey, bundleId, revision, newState, newReason, includedHeight, includedBlockHash, legs);
  }
}
