package dev.tandem.node.mempool;

/**
 * Why a transaction was not admitted, with the JSON-RPC error code the node answers with.
 * Codes are stable API (documented in shared-sequencer/node/README.md); {@link #label} names the metric tag.
 */
public enum RejectReason {
  /** Not a canonical transaction encoding (bad hex, truncated, trailing bytes, unknown version). */
  MALFORMED(-32001, "malformed"),
  /** Payload or encoding larger than the node's limit. */
  TOO_LARGE(-32002, "too_large"),
  /** The Ed25519 signature does not verify against the sender key. */
  BAD_SIGNATURE(-32003, "bad_signature"),
  /** Signed for another sequencer network. */
  WRONG_CHAIN(-32004, "wrong_chain"),
  /** Nonce at or below the sender's last finalized nonce: a replay or an already-used nonce. */
  NONCE_TOO_LOW(-32005, "nonce_too_low"),
  /** Another pending transaction of the sender already holds this nonce (no replacement). */
  NONCE_IN_USE(-32006, "nonce_in_use"),
  /** The very same transaction (same id) is already pending or finalized. */
  DUPLICATE(-32007, "duplicate"),
  /** Fee below the node's minimum fee per byte times the encoded size. */
  FEE_TOO_LOW(-32008, "fee_too_low"),
  /** The mempool holds its configured maximum of transactions. */
  MEMPOOL_FULL(-32009, "mempool_full"),
  /** The sender has its configured maximum of pending transactions. */
  SENDER_LIMIT(-32010, "sender_limit"),
  /** Nonce so far beyond the sender's last finalized nonce that the gap could never be held. */
  NONCE_TOO_HIGH(-32011, "nonce_too_high"),
  /** Namespace 0 is reserved for the log's own records. */
  RESERVED_NAMESPACE(-32012, "reserved_namespace"),
  /** A bundle leg (version 2) is valid only inside its atomic bundle, never alone. */
  BUNDLE_LEG(-32013, "bundle_leg"),
  /** Dropped from the mempool: another transaction of the sender with the same nonce was finalized. */
  SUPERSEDED(-32014, "superseded");

  private final int code;
  private final String label;

  RejectReason(int code, String label) {
    this.code = code;
    this.label = label;
  }

  public int code() {
    return code;
  }

  public String label() {
    return label;
  }
}
