package dev.tandem.node.mempool;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;

/**
 * The checks that need no state: encoding, size, chain id, namespace, version, fee and signature.
 * Cheap checks run first so that garbage costs no signature verification.
 */
public final class TxValidator {
  private final long chainId;
  private final int maxPayloadBytes;
  private final long minFeePerByte;

  public TxValidator(long chainId, int maxPayloadBytes, long minFeePerByte) {
    this.chainId = chainId;
    this.maxPayloadBytes = maxPayloadBytes;
    this.minFeePerByte = minFeePerByte;
  }

  /** The largest encoding a transaction can have under this node's payload limit. */
  public int maxEncodedBytes() {
    return Transaction.OVERHEAD_BYTES + Hash.LENGTH + maxPayloadBytes;
  }

  /** The minimum fee for a transaction of {@code encodedBytes}. */
  public long minimumFee(long encodedBytes) {
    return Math.multiplyExact(minFeePerByte, encodedBytes);
  }

  public long minFeePerByte() {
    return minFeePerByte;
  }

  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Decodes and checks everything but the signature. */
  public Transaction decode(byte[] encoded) {
    if (encoded.length > maxEncodedBytes()) {
      throw new AdmissionException(RejectReason.TOO_LARGE, null, "transaction of " + encoded.length
          + " bytes exceeds this node's limit of " + maxEncodedBytes() + " bytes");
    }
    Transaction tx;
    try {
      tx = Transaction.decode(encoded);
    } catch (DecodingException e) {
      throw new AdmissionException(RejectReason.MALFORMED, null, "malformed transaction: " + e.getMessage());
    }
    Hash id = tx.id();
    if (tx.payloadLength() > maxPayloadBytes) {
      throw new AdmissionException(RejectReason.TOO_LARGE, id, "payload of " + tx.payloadLength()
          + " bytes exceeds this node's limit of " + maxPayloadBytes);
    }
    if (tx.chainId() != chainId) {
      throw new AdmissionException(RejectReason.WRONG_CHAIN, id, "transaction is for chain " + tx.chainId()
          + ", this node sequences chain " + chainId);
    }
    if (tx.isBundleLeg()) {
      throw new AdmissionException(RejectReason.BUNDLE_LEG, id,
          "bundle legs are valid only inside their atomic bundle; submit the whole bundle");
    }
    if (tx.namespace().equals(Namespace.SYSTEM)) {
      throw new AdmissionException(RejectReason.RESERVED_NAMESPACE, id,
          "namespace 0 is reserved for the log's own records");
    }
    long minimum = minimumFee(tx.encodedLength());
    if (tx.fee() < minimum) {
      throw new AdmissionException(RejectReason.FEE_TOO_LOW, id, "fee " + tx.fee() + " is below the minimum "
          + minimum + " (" + minFeePerByte + " per byte x " + tx.encodedLength() + " bytes)");
    }
    return tx;
  }

  public void checkSignature(Transaction tx) {
    if (!tx.hasValidSignature()) {
      throw new AdmissionException(RejectReason.BAD_SIGNATURE, tx.id(),
          "signature does not verify against sender " + tx.sender());
    }
  }
}
