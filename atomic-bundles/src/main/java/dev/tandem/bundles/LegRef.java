package dev.tandem.bundles;

import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import java.util.Objects;

/** One leg as the manifest names it: the rollup namespace and the leg transaction's id. */
public record LegRef(Namespace namespace, Hash txId) {
  public LegRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(txId, "txId");
  }
}
