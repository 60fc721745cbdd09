package dev.tandem.bundles;

import dev.tandem.core.Hash;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a block records about a bundle, as the payload of its {@link SignedManifest}: the bundle key,
 * the replacement id it derives from, the revision (a higher one replaces a lower one while
 * pending), the inclusion window and the legs in bundle order.
 */
public record Manifest(Hash bundleKey, Hash replacementId, long revision, BundleWindow window, List<LegRef> legs) {
  /** Legs per bundle; bounds decoding and the work a validator does per manifest. */
  public static final int MAX_LEGS = 16;

  public Manifest {
    Objects.requireNonNull(bundleKey, "bundleKey");
    Objects.requireNonNull(replacementId, "replacementId");
    Objects.requireNonNull(window, "window");
    legs = List.copyOf(legs);
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative");
    }
    if (legs.isEmpty() || legs.size() > MAX_LEGS) {
      throw new IllegalArgumentException("a bundle has 1 to " + MAX_LEGS + " legs, not " + legs.size());
    }
    Set<Hash> ids = new HashSet<>();
    for (LegRef leg : legs) {
      if (leg.namespace().equals(dev.tandem.core.Namespace.SYSTEM)) {
        throw new IllegalArgumentException("a leg may not use the reserved namespace 0");
      }
      if (!ids.add(leg.txId())) {
        throw new IllegalArgumentException("leg " + leg.txId() + " is listed twice");
      }
    }
  }

  public byte[] encode() {
    return BundleCodec.encodeManifest(this);
  }
}
