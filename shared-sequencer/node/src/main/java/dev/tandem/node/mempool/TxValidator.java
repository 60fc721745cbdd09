package dev.tandem.node.mempool;

import dev.tandem.core.BoundedMap;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
  static final int REJECTED_AHEAD = 1_024;

  private final long chainId;
  private final int maxPayloadBytes;
  private final long minFeePerByte;
  private final AtomicLong verifications = new AtomicLong();
  private final Map<Hash, byte[]> verifiedAhead = BoundedMap.insertionOrdered(VERIFIED_AHEAD);
  /**
   * Signatures found bad ahead (a JSON-RPC batch is checked before its calls), so that the call's
   * admission refuses without checking again; guarded by {@link #verifiedAhead}.
   */
  private final Map<Hash, byte[]> rejectedAhead = BoundedMap.insertionOrdered(REJECTED_AHEAD);
  /**
   * Signatures another thread is verifying right now (guarded by {@link #verifiedAhead}): a
   * transaction that comes in a proposal while its gossip is being checked, or the other way round,
   * waits for that check instead of running its own.
   */
  private final Map<Hash, InProgress> inProgress = new HashMap<>();

  /** A signature being checked as element {@code index} of a batch whose verdicts come in {@code verdicts}. */
  private record InProgress(byte[] signature, CompletableFuture<boolean[]> verdicts, int index) {}

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
    boolean failedAhead;
    synchronized (verifiedAhead) {
      if (Arrays.equals(verifiedAhead.get(tx.id()), signature)) {
        verifiedAhead.remove(tx.id());
        return;
      }
      failedAhead = Arrays.equals(rejectedAhead.remove(tx.id()), signature);
    }
    if (failedAhead) {
      throw badSignature(tx);
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
   * verified ahead before are not verified again, and those another thread is verifying right now
   * wait for its verdict (a proposal and the gossip of its transactions often arrive together);
   * the good ones are remembered, so that their admissions do not verify them again.
   */
  public boolean[] verifyAheadAll(List<Transaction> transactions) {
    boolean[] valid = new boolean[transactions.size()];
    List<Transaction> mine = new ArrayList<>(transactions.size());
    List<InProgress> claims = new ArrayList<>(transactions.size());
    List<Integer> minePositions = new ArrayList<>(transactions.size());
    CompletableFuture<boolean[]> myVerdicts = new CompletableFuture<>();
    List<Integer> othersPositions = new ArrayList<>();
    List<InProgress> others = new ArrayList<>();
    synchronized (verifiedAhead) {
      for (int i = 0; i < transactions.size(); i++) {
        Transaction tx = transactions.get(i);
        byte[] signature = tx.signature();
        InProgress running = inProgress.get(tx.id());
        if (Arrays.equals(verifiedAhead.get(tx.id()), signature)) {
          valid[i] = true;
        } else if (running != null && Arrays.equals(running.signature(), signature)) {
          others.add(running);
          othersPositions.add(i);
        } else {
          InProgress claim = new InProgress(signature, myVerdicts, mine.size());
          inProgress.put(tx.id(), claim);
          claims.add(claim);
          mine.add(tx);
          minePositions.add(i);
        }
      }
    }
    try {
      boolean[] verdicts = verifiesAll(mine);
      synchronized (verifiedAhead) {
        for (int j = 0; j < verdicts.length; j++) {
          Transaction tx = mine.get(j);
          (verdicts[j] ? verifiedAhead : rejectedAhead).put(tx.id(), tx.signature());
          inProgress.remove(tx.id(), claims.get(j));
          valid[minePositions.get(j)] = verdicts[j];
        }
      }
      myVerdicts.complete(verdicts);
    } catch (RuntimeException e) {
      synchronized (verifiedAhead) {
        for (int j = 0; j < mine.size(); j++) {
          inProgress.remove(mine.get(j).id(), claims.get(j));
        }
      }
      myVerdicts.completeExceptionally(e);
      throw e;
    }
    for (int k = 0; k < others.size(); k++) {
      InProgress running = others.get(k);
      Transaction tx = transactions.get(othersPositions.get(k));
      boolean[] theirs = running.verdicts().exceptionally(failed -> null).join();
      // A check that failed elsewhere is done here instead.
      valid[othersPositions.get(k)] = theirs != null ? theirs[running.index()] : verifyAheadAll(List.of(tx))[0];
    }
    return valid;
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
    if (!verifiesAll(List.of(tx))[0]) {
      throw badSignature(tx);
    }
  }

  private static AdmissionException badSignature(Transaction tx) {
    return new AdmissionException(RejectReason.BAD_SIGNATURE, tx.id(),
        "signature does not verify against sender " + tx.sender());
  }

  /** The one place transaction signatures are checked (together), and counted. */
  private boolean[] verifiesAll(List<Transaction> transactions) {
    verifications.addAndGet(transactions.size());
    return Transaction.haveValidSignatures(transactions);
  }
}
