package dev.tandem.node.net;

import dev.tandem.core.Hash;
import dev.tandem.core.Transaction;
import dev.tandem.node.mempool.AdmissionException;
import dev.tandem.node.mempool.RejectReason;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.gossip.ValidationResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transaction gossip on {@link Topics#transactions(long)}: transactions admitted locally are
 * published; received ones are checked on the network thread (decoding, size, chain id, fee,
 * signature: CPU only, no locks, no LMDB) and, when new, handed to a small pool that admits them
 * durably into the mempool exactly as RPC does. The mempool's stateful checks (nonce, capacity)
 * need its lock, which a block commit holds across an LMDB sync, so they run on that pool; a
 * gossiped transaction they refuse is dropped there (it was already forwarded, as gossip does).
 */
public final class TxGossip implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TxGossip.class);
  static final int RECENT_IDS = 65_536;
  static final int ADMISSION_QUEUE = 10_000;
  private static final int ADMISSION_THREADS = 2;

  /** The node's admission path, as gossip uses it. */
  public interface Admission {
    /** Decodes and runs the checks that need no state, signature included; throws {@link AdmissionException}. */
    Transaction check(byte[] encoded);

    /** Durable admission, as over RPC (not published again); throws {@link AdmissionException}. */
    void admit(byte[] encoded);
  }

  private final NodeNetwork network;
  private final String topic;
  private final Admission admission;
  private final ThreadPoolExecutor admitter;
  /** Ids seen recently (published or received), so that repeats are ignored without touching the mempool. */
  private final Map<Hash, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Hash, Boolean> eldest) {
      return size() > RECENT_IDS;
    }
  };

  public TxGossip(NodeNetwork network, long chainId, Admission admission) {
    this.network = network;
    this.topic = Topics.transactions(chainId);
    this.admission = admission;
    AtomicInteger threads = new AtomicInteger();
    this.admitter = new ThreadPoolExecutor(ADMISSION_THREADS, ADMISSION_THREADS, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(ADMISSION_QUEUE), runnable -> {
          Thread thread = new Thread(runnable, "tandem-gossip-admission-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** Joins the topic. */
  public void start() {
    network.subscribe(topic, this::onMessage);
  }

  /** Publishes a transaction this node admitted (over RPC or in process). */
  public void publish(Transaction tx, byte[] encoded) {
    remember(tx.id());
    network.broadcast(topic, encoded).whenComplete((peers, error) -> {
      if (error != null) {
        LOG.debug("publishing transaction {} failed", tx.id(), error);
      }
    });
  }

  /** The verdict on a received message; runs on the network thread. */
  ValidationResult onMessage(PeerId publisher, byte[] data) {
    Transaction tx;
    try {
      tx = admission.check(data);
    } catch (AdmissionException e) {
      LOG.debug("gossiped transaction from {} refused: {}", publisher, e.getMessage());
      return verdict(e.reason());
    }
    if (!remember(tx.id())) {
      return ValidationResult.IGNORE;
    }
    try {
      admitter.execute(() -> admit(tx, data));
    } catch (RejectedExecutionException full) {
      forget(tx.id()); // may come again once the queue drains
      return ValidationResult.IGNORE;
    }
    return ValidationResult.ACCEPT;
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

  /** Stops admitting; queued gossiped transactions are dropped (peers still hold them). */
  @Override
  public void close() {
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
