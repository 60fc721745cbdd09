package dev.tandem.bundles;

import dev.tandem.core.Hash;

/**
 * What {@link BundleRules#checkBlock} needs from the node's store: whether a bundle key was already
 * recorded by a block before the one being checked. The node answers for finalized blocks and for
 * the uncommitted ancestors the block builds on.
 */
@FunctionalInterface
public interface IncludedBundleIndex {
  IncludedBundleIndex NONE = key -> false;

  boolean isIncluded(Hash bundleKey);
}
