package dev.tandem.node.mempool;

import dev.tandem.core.Hash;
import java.util.Optional;

/** A transaction was refused; carries the reason (and so the JSON-RPC code) and, when it decoded, its id. */
public final class AdmissionException extends RuntimeException {
  private final RejectReason reason;
  private final Hash txId;

  public AdmissionException(RejectReason reason, Hash txId, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.txId = txId;
  }

  public RejectReason reason() {
    return reason;
  }

  /** The transaction's id, when the bytes decoded far enough to have one. */
  public Optional<Hash> txId() {
    return Optional.ofNullable(txId);
  }
}
