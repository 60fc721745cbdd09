package dev.tandem.node.mempool;

import dev.tandem.core.BoundedMap;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checks that need no state: encoding, size, chain id, namespace, version, fee and signature.
 * Cheap checks run first so that garbage costs no signature verification.
 *
 * <p>A signature verified ahead of admission ({@link #verifyAheadAll}: on the gossip thread, in
 * consensus) is remembered by transaction id and signature bytes, so that the admission's own
 * {@link #checkSignature} of the same transaction does not verify it a second time. The id hashes
 * every signed field (sender included), so an equal id and equal signature bytes mean the same
 * verification; a different signature under the same id is verified afresh.
 */
public final class TxValidator {
  /** Signatures verified ahead and not yet used by an admission; the oldest are forgotten first. */
  static final int VERIFIED_AHEAD = 16_384;

  private final long chainId;
  private final int maxPayloadBytes;
  private final long minFeePerByte;
  private final AtomicLong verifications = new AtomicLong();
  private final Map<Hash, byte[]> verifiedAhead = BoundedMap.insertionOrdered(VERIFIED_AHEAD);

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

  /** Throws BAD_SIGNATURE unless the signature verifies; skips a verification already done ahead. */
  public void checkSignature(Transaction tx) {
    byte[] signature = tx.signature();
    synchronized (verifiedAhead) {
      if (Arrays.equals(verifiedAhead.get(tx.id()), signature)) {
        verifiedAhead.remove(tx.id());
        return;
      }
    }
    verify(tx);
  }

  /** Whether this exact transaction's signature was verified ahead and not yet used by an admission. */
  public boolean wasVerifiedAhead(Transaction tx) {
    synchronized (verifiedAhead) {
      return Arrays.equals(verifiedAhead.get(tx.id()), tx.signature());
    }
  }

  /**
   * Verifies transactions' signatures outside admission (on gossip arrival, in a proposal that
   * overtook the gossip, in a JSON-RPC batch before its calls start), all in one batch
   * verification: element i is whether {@code transactions.get(i)}'s signature is good. Those
   * verified ahead before are not verified again; the good ones are remembered, so that their
   * admissions do not verify them again.
   */
  public boolean[] verifyAheadAll(List<Transaction> transactions) {
    boolean[] valid = new boolean[transactions.size()];
    List<Transaction> unverified = new ArrayList<>(transactions.size());
    List<Integer> positions = new ArrayList<>(transactions.size());
    for (int i = 0; i < transactions.size(); i++) {
      if (wasVerifiedAhead(transactions.get(i))) {
        valid[i] = true;
      } else {
        unverified.add(transactions.get(i));
        positions.add(i);
      }
    }
    verifications.addAndGet(unverified.size());
    boolean[] verdicts = Transaction.haveValidSignatures(unverified);
    for (int j = 0; j < verdicts.length; j++) {
      if (verdicts[j]) {
        rememberVerified(unverified.get(j));
      }
      valid[positions.get(j)] = verdicts[j];
    }
    return valid;
  }

  private void rememberVerified(Transaction tx) {
    synchronized (verifiedAhead) {
      verifiedAhead.put(tx.id(), tx.signature());
    }
  }

  /** Drops the records of signatures verified ahead for these (finalized) transactions. */
  public void forgetVerified(List<Transaction> transactions) {
    synchronized (verifiedAhead) {
      transactions.forEach(tx -> verifiedAhead.remove(tx.id()));
    }
  }

  /** Signatures verified ahead and not yet used or forgotten (for tests). */
  int verifiedAheadCount() {
    synchronized (verifiedAhead) {
      return verifiedAhead.size();
    }
  }

  /** Transaction signature verifications run so far: admissions, gossip checks and proposals. */
  public long verifications() {
    return verifications.get();
  }

  private void verify(Transaction tx) {
    if (!verifies(tx)) {
      throw new AdmissionException(RejectReason.BAD_SIGNATURE, tx.id(),
          "signature does not verify against sender " + tx.sender());
    }
  }

  /** The one place a transaction signature is checked, and counted. */
  private boolean verifies(Transaction tx) {
    verifications.incrementAndGet();
    return tx.hasValidSignature();
  }
}
