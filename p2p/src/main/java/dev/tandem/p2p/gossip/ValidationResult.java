package dev.tandem.p2p.gossip;

/** A topic validator's verdict, checked before a message is delivered or forwarded. */
public enum ValidationResult {
  /** Deliver and forward. */
  ACCEPT,
  /** Drop and penalise the peer that forwarded it (P4). */
  REJECT,
  /** Drop without penalty (e.g. stale or not yet useful). */
  IGNORE
}
