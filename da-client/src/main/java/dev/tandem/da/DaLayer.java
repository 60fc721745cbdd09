package dev.tandem.da;

/**
 * A data-availability layer: post bytes under a namespace, get a receipt back, fetch them by
 * that receipt. Implementations are thread-safe.
 *
 * <p>Posting is idempotent by {@code idempotencyKey}: posting a key that was already posted
 * returns the earlier receipt and does not post again. Callers that may crash between a post
 * and recording its receipt (rollup adapters) rely on this to never post a batch twice.
 */
public interface DaLayer extends AutoCloseable {
  /** A short name for logs and receipts, e.g. {@code local}, {@code eth-blob}, {@code celestia}. */
  String name();

  /** Posts {@code data} under {@code namespace}; blocks until the layer has accepted it durably. */
  DaReceipt post(long namespace, byte[] data, byte[] idempotencyKey) throws DaException;

  /** Reads posted data back and checks it against the receipt's commitment. */
  byte[] fetch(DaReceipt receipt) throws DaException;

  @Override
  void close();
}
