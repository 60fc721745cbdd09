package dev.tandem.bundles;

/** Where a bundle revision stands in a node's {@link BundlePool}. */
public enum BundleState {
  /** Accepted and waiting for a block inside its window. */
  PENDING,
  /** Every leg and the manifest are in a finalized block; terminal. */
  INCLUDED,
  /** Its window ended before any block included it; terminal, no leg was included. */
  EXPIRED,
  /** A higher revision with the same key took its place; terminal. */
  REPLACED,
  /** Withdrawn by the signer's cancel; terminal. */
  CANCELLED,
  /** Refused, or made impossible (a leg's nonce was used elsewhere); terminal, with a reason. */
  REJECTED;

  public boolean isTerminal() {
    return this != PENDING;
  }
}
