package dev.tandem.node.net;

import dev.tandem.core.BoundedMap;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Transaction;
import dev.tandem.node.mempool.AdmissionException;
import dev.tandem.node.mempool.RejectReason;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.gossip.ValidationResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transaction gossip on {@link Topics#transactionBatches(long)}. Transactions admitted locally wait
 * up to {@link #BATCH_DELAY} for others and go out together, many per gossip message, so that the
 * per-message costs (envelope signature and its checks, framing, mesh bookkeeping) are paid once
 * per batch. Each received transaction is checked on the network thread (decoding, size, chain id,
 * fee, signature: CPU only, no locks, no LMDB; the signatures of one message by one batch
 * verification) and, when new, handed to an admission thread that runs the mempool's stateful
 * checks (nonce, capacity) and keeps it in memory: the origin node holds it durably. Those checks
 * take the mempool's lock and read the store, so they stay off the network thread; a gossiped
 * transaction they refuse is dropped there (it was already forwarded, as gossip does).
 */
public final class TxGossip implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TxGossip.class);
  static final int RECENT_IDS = 65_536;
  static final int ADMISSION_QUEUE = 10_000;
  /** Relayed admissions write nothing to disk; one thread keeps them off the network thread. */
  private static final int ADMISSION_THREADS = 1;
  /** The least time between two batches of locally admitted transactions (unless the first is full). */
  static final Duration BATCH_DELAY = Duration.ofMillis(5);
  /** Most transactions in one message; a full batch goes out at once. */
  static final int MAX_BATCH_TXS = 1024;
  /** Most encoded transaction bytes in a message of several; a larger transaction goes alone. */
  static final int MAX_BATCH_BYTES = 256 * 1024;

  /** The node's admission path, as gossip uses it. */
  public interface Admission {
    /** Decodes and runs the checks that need no state but the signature; throws {@link AdmissionException}. */
    Transaction decode(byte[] encoded);

    /**
     * Checks the signatures of decoded transactions together (one batch verification): element i
     * is whether {@code transactions.get(i)}'s is good.
     */
    boolean[] verifySignatures(List<Transaction> transactions);

    /** Admission of a relayed transaction (in memory, not published again); throws {@link AdmissionException}. */
    void admit(byte[] encoded);
  }

  private final NodeNetwork network;
  private final String topic;
  private final Admission admission;
  private final ThreadPoolExecutor admitter;
  private final ScheduledExecutorService flusher;
  private final Duration batchDelay;
  /** Ids seen recently (published or received), so that repeats are ignored without touching the mempool. */
  private final Map<Hash, Boolean> recent = BoundedMap.insertionOrdered(RECENT_IDS);
  /** Guards the batch being filled, its size and its number. */
  private final Object batchLock = new Object();
  private List<byte[]> batch = new ArrayList<>();
  private int batchBytes;
  /** Counts batches taken, so that a timer whose batch already went out by size does nothing. */
  private long batchNumber;
  /** Admissions that will publish together (see {@link #hold}); guarded by {@link #batchLock}. */
  private int holds;
  /** When the last batch went out ({@link System#nanoTime}); the construction time before the first. */
  private long lastBatchNanos = System.nanoTime();

  public TxGossip(NodeNetwork network, long chainId, Admission admission) {
    this(network, chainId, admission, BATCH_DELAY);
  }

  /** With another batch delay (tests: a long one makes batches go out by size only). */
  TxGossip(NodeNetwork network, long chainId, Admission admission, Duration batchDelay) {
    this.network = network;
    this.batchDelay = batchDelay;
    this.topic = Topics.transactionBatches(chainId);
    this.admission = admission;
    AtomicInteger threads = new AtomicInteger();
    this.admitter = new ThreadPoolExecutor(ADMISSION_THREADS, ADMISSION_THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(ADMISSION_QUEUE), runnable -> {
          Thread thread = new Thread(runnable, "tandem-gossip-admission-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tandem-gossip-batcher");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Joins the topic. */
  public void start() {
    // Every transaction is signed by its sender: the gossip envelope needs no signature of its own.
    network.subscribeUnsigned(topic, this::onMessage);
  }

  /**
   * Queues a transaction this node admitted (over RPC or in process) for the next batch. Batches go
   * out at most once per {@link #BATCH_DELAY}, or at once when full: a transaction that finds the
   * last batch older than that goes at once (sparse traffic waits for nothing), a later one waits
   * for the rest of the interval with the others that come meanwhile.
   */
  public void publish(Transaction tx, byte[] encoded) {
    remember(tx.id());
    List<List<byte[]>> ready = new ArrayList<>(2);
    long scheduleFor = -1;
    long waitNanos = 0;
    synchronized (batchLock) {
      if (!batch.isEmpty() && batchBytes + encoded.length > MAX_BATCH_BYTES) {
        ready.add(takeBatch());
      }
      batch.add(encoded);
      batchBytes += encoded.length;
      long sinceLast = System.nanoTime() - lastBatchNanos;
      boolean due = sinceLast >= batchDelay.toNanos();
      if (batch.size() >= MAX_BATCH_TXS || batchBytes >= MAX_BATCH_BYTES
          || (batch.size() == 1 && due && holds == 0)) {
        ready.add(takeBatch());
      } else if (batch.size() == 1) {
        scheduleFor = batchNumber;
        waitNanos = due ? batchDelay.toNanos() : batchDelay.toNanos() - sinceLast; // held: the release sends it
      }
    }
    ready.forEach(this::broadcast);
    if (scheduleFor >= 0) {
      long number = scheduleFor;
      try {
        flusher.schedule(() -> flush(number), waitNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        LOG.debug("gossip closed; transaction {} stays local", tx.id());
      }
    }
  }

  /**
   * Holds back the at-once rule of {@link #publish} while a group of admissions that arrived
   * together (one JSON-RPC batch) publishes, so that they leave in one message rather than the first
   * alone; the returned release sends what waits if the interval has passed. Every hold must be
   * released; the batch timer still bounds the wait.
   */
  public Runnable hold() {
    synchronized (batchLock) {
      holds++;
    }
    return this::release;
  }

  private void release() {
    List<byte[]> ready = null;
    synchronized (batchLock) {
      holds--;
      if (holds == 0 && !batch.isEmpty() && System.nanoTime() - lastBatchNanos >= batchDelay.toNanos()) {
        ready = takeBatch();
      }
    }
    if (ready != null) {
      broadcast(ready);
    }
  }

  /** Sends the batch being filled if it is still batch {@code number}. */
  private void flush(long number) {
    List<byte[]> ready;
    synchronized (batchLock) {
      if (batchNumber != number || batch.isEmpty()) {
        return;
      }
      ready = takeBatch();
    }
    broadcast(ready);
  }

  /** Caller holds {@link #batchLock}. */
  private List<byte[]> takeBatch() {
    List<byte[]> taken = batch;
    batch = new ArrayList<>();
    batchBytes = 0;
    batchNumber++;
    lastBatchNanos = System.nanoTime();
    return taken;
  }

  private void broadcast(List<byte[]> transactions) {
    network.broadcast(topic, encodeBatch(transactions)).whenComplete((peers, error) -> {
      if (error != null) {
        LOG.debug("publishing a batch of {} transactions failed", transactions.size(), error);
      }
    });
  }

  /**
   * The verdict on a received batch; runs on the network thread. Each transaction gets its own
   * verdict and is admitted on its own, so a bad one does not cost the good ones; but a batch
   * holding anything no honest node forwards (see {@link #verdict}) is REJECTed as a whole,
   * penalising its sender.
   * ACCEPT (forward) when at least one transaction was new, else IGNORE.
   */
  ValidationResult onMessage(PeerId publisher, byte[] data) {
    List<byte[]> transactions;
    try {
      transactions = decodeBatch(data);
    } catch (DecodingException e) {
      LOG.debug("gossiped batch from {} refused: {}", publisher, e.getMessage());
      return ValidationResult.REJECT;
    }
    boolean rejected = false;
    boolean accepted = false;
    List<Transaction> decoded = new ArrayList<>(transactions.size());
    List<byte[]> encodings = new ArrayList<>(transactions.size());
    for (byte[] encoded : transactions) {
      try {
        decoded.add(admission.decode(encoded));
        encodings.add(encoded);
      } catch (AdmissionException e) {
        LOG.debug("gossiped transaction from {} refused: {}", publisher, e.getMessage());
        rejected |= verdict(e.reason()) == ValidationResult.REJECT;
      }
    }
    boolean[] signed = admission.verifySignatures(decoded);
    for (int i = 0; i < decoded.size(); i++) {
      Transaction tx = decoded.get(i);
      if (!signed[i]) {
        LOG.debug("gossiped transaction {} from {} refused: bad signature", tx.id(), publisher);
        rejected = true; // no honest node forwards a bad signature
      } else if (onVerified(tx, encodings.get(i))) {
        accepted = true;
      }
    }
    return rejected ? ValidationResult.REJECT : accepted ? ValidationResult.ACCEPT : ValidationResult.IGNORE;
  }

  /** Hands a checked transaction to admission; true when it was new. */
  private boolean onVerified(Transaction tx, byte[] data) {
    if (!remember(tx.id())) {
      return false;
    }
    try {
      admitter.execute(() -> admit(tx, data));
    } catch (RejectedExecutionException full) {
      forget(tx.id()); // may come again once the queue drains
      return false;
    }
    return true;
  }

  private void admit(Transaction tx, byte[] data) {
    try {
      admission.admit(data);
    } catch (AdmissionException e) {
      LOG.debug("gossiped transaction {} not admitted: {}", tx.id(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("admitting gossiped transaction {} failed", tx.id(), e);
    }
  }

  /**
   * REJECT (the sender is penalised) for what no honest node forwards: bytes that are not a
   * transaction, a bad signature, another chain, a lone bundle leg, the reserved namespace. IGNORE
   * for this node's own policy (size and fee limits may differ between nodes) and for state.
   */
  static ValidationResult verdict(RejectReason reason) {
    return switch (reason) {
      case MALFORMED, BAD_SIGNATURE, WRONG_CHAIN, BUNDLE_LEG, RESERVED_NAMESPACE -> ValidationResult.REJECT;
      default -> ValidationResult.IGNORE;
    };
  }

  /**
   * The batch encoding: u32 count (1 to {@link #MAX_BATCH_TXS}), then each encoded transaction as
   * u32 length and bytes. Several transactions total at most {@link #MAX_BATCH_BYTES}; one may be
   * up to {@link Transaction#MAX_ENCODED_BYTES}.
   */
  static byte[] encodeBatch(List<byte[]> transactions) {
    int size = 4;
    for (byte[] tx : transactions) {
      size += 4 + tx.length;
    }
    CanonicalWriter writer = new CanonicalWriter(size).u32(transactions.size());
    transactions.forEach(writer::bytes);
    return writer.toByteArray();
  }

  /** Reads {@link #encodeBatch}'s encoding; throws {@link DecodingException} saying what is wrong. */
  static List<byte[]> decodeBatch(byte[] data) {
    CanonicalReader reader = new CanonicalReader(data);
    int count = reader.count(MAX_BATCH_TXS, "transaction");
    if (count == 0) {
      throw new DecodingException("empty transaction batch");
    }
    List<byte[]> transactions = new ArrayList<>(count);
    long total = 0;
    for (int i = 0; i < count; i++) {
      byte[] tx = reader.bytes(Transaction.MAX_ENCODED_BYTES, "transaction " + i);
      total += tx.length;
      if (count > 1 && total > MAX_BATCH_BYTES) {
        throw new DecodingException("a batch of " + count + " transactions exceeds " + MAX_BATCH_BYTES
            + " bytes at transaction " + i);
      }
      transactions.add(tx);
    }
    reader.end();
    return transactions;
  }

  /** Adds an id to the recent set; false if it was there. */
  private boolean remember(Hash id) {
    synchronized (recent) {
      return recent.put(id, Boolean.TRUE) == null;
    }
  }

  private void forget(Hash id) {
    synchronized (recent) {
      recent.remove(id);
    }
  }

  /**
   * Sends the batch being filled, then stops admitting; queued gossiped transactions are dropped
   * (peers still hold them).
   */
  @Override
  public void close() {
    flusher.shutdownNow();
    List<byte[]> last;
    synchronized (batchLock) {
      last = batch.isEmpty() ? List.of() : takeBatch();
    }
    if (!last.isEmpty()) {
      broadcast(last);
    }
    // Not shutdownNow: an interrupt must not break an LMDB write under way.
    admitter.getQueue().clear();
    admitter.shutdown();
    try {
      admitter.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
