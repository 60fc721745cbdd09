package dev.tandem.node.mempool;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.node.store.NodeStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pending transactions: an in-memory index over the store's durable mempool, plus transactions
 * relayed by gossip, which are kept in memory only ({@link #admitRelayed}): the node that acknowledged
 * a transaction to its client holds it durably, so a restarted relay loses nothing it promised.
 *
 * <p>Nonce rule. Per sender, nonces start at 0 and go up by one. A sender's last finalized nonce
 * is {@code f} ({@code -1} before its first finalized transaction). A transaction with nonce
 * {@code n} is admitted when {@code f < n <= f + perSenderPendingLimit} and no other pending
 * transaction of the sender holds {@code n}. It is <em>orderable</em> when every nonce from
 * {@code f + 1} to {@code n} is pending: a transaction after a gap is held, acknowledged and
 * durable, until the gap fills. There is no replacement: a nonce, once pending, is taken until
 * it is finalized.
 *
 * <p>Bundles. A nonce that a pending atomic bundle's leg claims ({@link NonceClaims}) is refused
 * to a plain transaction, and {@link #nextNonce} skips it, so that first-seen holds across both
 * pools. Manifests (namespace 0) take no account nonce and never move a sender's finalized nonce.
 *
 * <p>Thread-safe: admissions and the index updates of block commits are serialized on this
 * object; signature checks and store writes run outside the lock.
 */
public final class Mempool {
  /** Which pending bundle, if any, claims a sender's nonce. */
  @FunctionalInterface
  public interface NonceClaims {
    NonceClaims NONE = (sender, nonce) -> Optional.empty();

    Optional<Hash> claimedBy(PublicKey sender, long nonce);
  }

  private final NodeStore store;
  private final TxValidator validator;
  private final int capacity;
  private final int perSenderLimit;
  private final NonceClaims claims;
  private final Map<Hash, Entry> byId = new HashMap<>();
  private final Map<PublicKey, TreeMap<Long, Entry>> bySender = new HashMap<>();
  /** Last finalized nonce per sender seen so far, -1 for none; the store is asked on a miss. */
  private final Map<PublicKey, Long> finalizedNonces = new HashMap<>();
  /** Ids of the block being written by {@link #commit}: no longer pending, not yet in the store. */
  private final Set<Hash> finalizing = new HashSet<>();
  /** Ids of the pending transactions that write evicts as stale. */
  private final Set<Hash> evicting = new HashSet<>();
  private long nextSeq;

  /** A pending transaction, its admission order, and whether the store holds it (local admissions). */
  private record Entry(Transaction tx, long seq, boolean stored) {}

  /** Rebuilds the index from the store's durable mempool; no bundle claims. */
  public Mempool(NodeStore store, TxValidator validator, int capacity, int perSenderLimit) {
    this(store, validator, capacity, perSenderLimit, NonceClaims.NONE);
  }

  /** Rebuilds the index from the store's durable mempool; {@code claims} are the pending bundles' nonces. */
  public Mempool(NodeStore store, TxValidator validator, int capacity, int perSenderLimit, NonceClaims claims) {
    this.claims = claims;
    this.store = store;
    this.validator = validator;
    this.capacity = capacity;
    this.perSenderLimit = perSenderLimit;
    long maxSeq = -1;
    List<Long> stale = new ArrayList<>();
    for (NodeStore.PendingTx pending : store.pending()) {
      Transaction tx = pending.tx();
      maxSeq = Math.max(maxSeq, pending.admissionSeq());
      // An entry whose nonce a finalized block already used (a write that raced a block commit) is dropped.
      if (tx.nonce() <= finalizedNonce(tx.sender()) || byId.containsKey(tx.id())) {
        stale.add(pending.admissionSeq());
      } else {
        index(new Entry(tx, pending.admissionSeq(), true));
      }
    }
    if (!stale.isEmpty()) {
      store.removePending(stale);
    }
    nextSeq = maxSeq + 1;
  }

  public TxValidator validator() {
    return validator;
  }

  /**
   * Validates, durably stores and indexes a transaction. Returns its id only once the store has
   * committed it; throws {@link AdmissionException} with the reason otherwise.
   */
  public Transaction admit(byte[] encoded) {
    return startAdmission(encoded).finish();
  }

  /**
   * The first half of {@link #admit}: validates and indexes the transaction and queues its write,
   * then returns at once; {@link Admission#finish} waits until it is durable. The admissions of one
   * JSON-RPC batch start together and share one store commit. Throws {@link AdmissionException}
   * as {@link #admit} does. Every started admission must be finished.
   *
   * <p>The transaction is orderable at once, while its write is under way: the durable write
   * backs the acknowledgement to the client, not the ordering, so a block may carry it before it is
   * durable here. If the write fails, the client hears so, though a proposal may already carry the
   * transaction (it is valid and signed by its sender, so ordering it breaks no promise).
   */
  public Admission startAdmission(byte[] encoded) {
    Entry entry = check(encoded, true);
    NodeStore.PendingWrite write;
    try {
      write = store.queuePending(entry.tx(), entry.seq());
    } catch (RuntimeException e) {
      unindexIfStill(entry);
      throw e;
    }
    return new Admission(entry.tx(), () -> {
      try {
        write.await();
      } catch (RuntimeException e) {
        unindexIfStill(entry);
        throw e;
      }
      Hash id = entry.tx().id();
      boolean leftBehind;
      synchronized (this) {
        // Gone from the index, and no block write that would delete it is under way: a block
        // finalized it (or made it stale) before this write landed, which left an entry behind.
        leftBehind = byId.get(id) != entry && !finalizing.contains(id) && !evicting.contains(id);
      }
      if (leftBehind) {
        store.removePending(List.of(entry.seq()));
      }
    });
  }

  /** An admission whose durable write is under way: the checked transaction, and the wait for its write. */
  public static final class Admission {
    private final Transaction tx;
    private final Runnable awaitDurable;

    private Admission(Transaction tx, Runnable awaitDurable) {
      this.tx = tx;
      this.awaitDurable = awaitDurable;
    }

    /** The transaction, checked and pending (its write may still be under way). */
    public Transaction transaction() {
      return tx;
    }

    /** Returns the transaction once it is durable; throws if its write failed (it is then not pending). */
    public Transaction finish() {
      awaitDurable.run();
      return tx;
    }
  }

  /**
   * Admits a transaction that another node acknowledged and relayed by gossip: the same checks as
   * {@link #admit}, but kept in memory only. The store never holds it, so a restart forgets it; its
   * origin node still holds it durably.
   */
  public Transaction admitRelayed(byte[] encoded) {
    return check(encoded, false).tx();
  }

  /**
   * Throws {@link RejectReason#DUPLICATE} if the transaction is already pending, being finalized or
   * finalized. Cheap next to a signature check, so it comes first.
   */
  private void checkNotKnown(Transaction tx) {
    Hash id = tx.id();
    synchronized (this) {
      if (byId.containsKey(id)) {
        throw new AdmissionException(RejectReason.DUPLICATE, id, "transaction " + id + " is already pending");
      }
      if (finalizing.contains(id)) {
        throw new AdmissionException(RejectReason.DUPLICATE, id, "transaction " + id + " is being finalized");
      }
    }
    checkNotFinalized(tx);
  }

  /**
   * Throws {@link RejectReason#DUPLICATE} if the transaction is in the finalized log. Takes no
   * mempool lock (the gossip router's thread calls it for every transaction it relays): a copy that
   * arrives by gossip after a block carried the transaction costs no second signature check.
   */
  public void checkNotFinalized(Transaction tx) {
    Hash id = tx.id();
    store.locate(id).ifPresent(location -> {
      throw new AdmissionException(RejectReason.DUPLICATE, id,
          "transaction " + id + " is already finalized at height " + location.height());
    });
  }

  /** Validates and indexes a transaction, which is orderable from then on; {@code stored} if its write follows. */
  private Entry check(byte[] encoded, boolean stored) {
    Transaction tx = validator.decode(encoded);
    checkNotKnown(tx);
    validator.checkSignature(tx);
    Entry entry;
    synchronized (this) {
      checkState(tx);
      // Indexed before the write so that concurrent checks see the nonce taken; the write itself
      // runs outside the lock so that concurrent admissions share one LMDB commit.
      entry = new Entry(tx, nextSeq++, stored);
      index(entry);
    }
    return entry;
  }

  private synchronized void unindexIfStill(Entry entry) {
    if (byId.get(entry.tx().id()) == entry) {
      unindex(entry.tx());
    }
  }

  private void checkState(Transaction tx) {
    Hash id = tx.id();
    if (byId.containsKey(id)) {
      throw new AdmissionException(RejectReason.DUPLICATE, id, "transaction " + id + " is already pending");
    }
    long finalized = finalizedNonce(tx.sender());
    if (tx.nonce() <= finalized) {
      // It may be this very transaction, finalized while it was being checked.
      if (finalizing.contains(id)) {
        throw new AdmissionException(RejectReason.DUPLICATE, id, "transaction " + id + " is being finalized");
      }
      store.locate(id).ifPresent(location -> {
        throw new AdmissionException(RejectReason.DUPLICATE, id,
            "transaction " + id + " is already finalized at height " + location.height());
      });
      throw new AdmissionException(RejectReason.NONCE_TOO_LOW, id, "nonce " + tx.nonce()
          + " is at or below the sender's last finalized nonce " + finalized);
    }
    TreeMap<Long, Entry> senderTxs = bySender.get(tx.sender());
    if (senderTxs != null) {
      Entry holder = senderTxs.get(tx.nonce());
      if (holder != null) {
        throw new AdmissionException(RejectReason.NONCE_IN_USE, id, "nonce " + tx.nonce()
            + " is already taken by pending transaction " + holder.tx().id());
      }
      if (senderTxs.size() >= perSenderLimit) {
        throw new AdmissionException(RejectReason.SENDER_LIMIT, id, "sender already has " + senderTxs.size()
            + " pending transactions (limit " + perSenderLimit + ")");
      }
    }
    Optional<Hash> bundle = claims.claimedBy(tx.sender(), tx.nonce());
    if (bundle.isPresent()) {
      throw new AdmissionException(RejectReason.NONCE_IN_USE, id, "nonce " + tx.nonce()
          + " is claimed by pending bundle " + bundle.get() + "; use tandem_getNonce for a free one");
    }
    // Bounds the gap a sender can open: every pending nonce lies in (finalized, finalized + limit].
    if (tx.nonce() - finalized > perSenderLimit) {
      throw new AdmissionException(RejectReason.NONCE_TOO_HIGH, id, "nonce " + tx.nonce() + " is more than "
          + perSenderLimit + " ahead of the sender's last finalized nonce " + finalized);
    }
    if (byId.size() >= capacity) {
      throw new AdmissionException(RejectReason.MEMPOOL_FULL, id, "mempool is full (" + capacity
          + " transactions); retry later");
    }
  }

  private long finalizedNonce(PublicKey sender) {
    return finalizedNonces.computeIfAbsent(sender, s -> store.finalizedNonce(s).orElse(-1));
  }

  private void index(Entry entry) {
    byId.put(entry.tx().id(), entry);
    bySender.computeIfAbsent(entry.tx().sender(), s -> new TreeMap<>()).put(entry.tx().nonce(), entry);
  }

  private void unindex(Transaction tx) {
    if (byId.remove(tx.id()) == null) {
      return;
    }
    TreeMap<Long, Entry> senderTxs = bySender.get(tx.sender());
    senderTxs.remove(tx.nonce());
    if (senderTxs.isEmpty()) {
      bySender.remove(tx.sender());
    }
  }

  public synchronized Optional<Transaction> get(Hash id) {
    Entry entry = byId.get(id);
    return entry == null ? Optional.empty() : Optional.of(entry.tx());
  }

  public synchronized int size() {
    return byId.size();
  }

  /**
   * The nonce a sender should use next: after its finalized nonce and its contiguous pending ones,
   * plain or claimed by a pending bundle.
   */
  public synchronized long nextNonce(PublicKey sender) {
    long next = finalizedNonce(sender) + 1;
    TreeMap<Long, Entry> senderTxs = bySender.get(sender);
    while ((senderTxs != null && senderTxs.containsKey(next)) || claims.claimedBy(sender, next).isPresent()) {
      next++;
    }
    return next;
  }

  /**
   * Why a bundle leg may not use this sender nonce (already finalized, or held by a pending plain
   * transaction), or empty when it is free here.
   */
  public synchronized Optional<String> legNonceConflict(PublicKey sender, long nonce) {
    long finalized = finalizedNonce(sender);
    if (nonce <= finalized) {
      return Optional.of("nonce " + nonce + " of sender " + sender + " is at or below its last finalized nonce "
          + finalized);
    }
    TreeMap<Long, Entry> senderTxs = bySender.get(sender);
    Entry holder = senderTxs == null ? null : senderTxs.get(nonce);
    if (holder != null) {
      return Optional.of("nonce " + nonce + " of sender " + sender + " is held by pending transaction "
          + holder.tx().id());
    }
    return Optional.empty();
  }

  /** Whether the transaction is pending and every nonce before it is pending or finalized. */
  public synchronized boolean isOrderable(Transaction tx) {
    long next = finalizedNonce(tx.sender()) + 1;
    TreeMap<Long, Entry> senderTxs = bySender.get(tx.sender());
    if (senderTxs == null || !senderTxs.containsKey(tx.nonce())) {
      return false;
    }
    return senderTxs.subMap(next, true, tx.nonce(), true).size() == tx.nonce() - next + 1;
  }

  /**
   * Orderable transactions for the next block, oldest admission first, each sender's in nonce
   * order, within the block limits. A sender whose next transaction does not fit is skipped for
   * the rest of the block (its later nonces could not go in without it).
   */
  public synchronized List<Transaction> orderable(int maxTxs, long maxBytes) {
    record Cursor(PublicKey sender, Entry head) {}
    PriorityQueue<Cursor> heads = new PriorityQueue<>((a, b) -> Long.compare(a.head.seq(), b.head.seq()));
    for (Map.Entry<PublicKey, TreeMap<Long, Entry>> sender : bySender.entrySet()) {
      Entry first = sender.getValue().get(finalizedNonce(sender.getKey()) + 1);
      if (first != null) {
        heads.add(new Cursor(sender.getKey(), first));
      }
    }
    List<Transaction> out = new ArrayList<>();
    long bytes = 0;
    while (!heads.isEmpty() && out.size() < maxTxs) {
      Cursor cursor = heads.poll();
      Transaction tx = cursor.head.tx();
      if (bytes + tx.encodedLength() > maxBytes) {
        continue;
      }
      out.add(tx);
      bytes += tx.encodedLength();
      Entry next = bySender.get(cursor.sender).get(tx.nonce() + 1);
      if (next != null) {
        heads.add(new Cursor(cursor.sender, next));
      }
    }
    return out;
  }

  /**
   * Durably commits a finalized block (through the store, in one write transaction) and drops its
   * transactions from the mempool, together with pending transactions it made stale (same sender,
   * nonce at or below the block's). Returns the stale ones, which are now rejected as superseded.
   * Calls must not overlap (blocks are committed one at a time, in height order).
   *
   * <p>The store write, with its disk sync, runs outside this object's lock, so that admissions and
   * proposals do not queue behind it: the block's transactions leave the index first and count as
   * finalized (a copy is a duplicate, a lower nonce too low) while it runs. If the write fails,
   * everything is put back and the exception propagates.
   */
  public List<Transaction> commit(Block block) {
    return commit(block, new byte[0], true);
  }

  /**
   * As {@link #commit(Block)}, keeping the block's encoded quorum certificate in the same write;
   * {@code durable} as for {@link NodeStore#commitBlock}.
   */
  public List<Transaction> commit(Block block, byte[] certificate, boolean durable) {
    List<Entry> removed = new ArrayList<>();
    List<Transaction> stale = new ArrayList<>();
    Map<PublicKey, Long> nonceBefore = new HashMap<>();
    synchronized (this) {
      Map<PublicKey, Long> highest = new HashMap<>();
      Set<Hash> inBlock = new HashSet<>();
      for (Transaction tx : block.transactions()) {
        if (!tx.namespace().equals(Namespace.SYSTEM)) {
          highest.merge(tx.sender(), tx.nonce(), Math::max);
        }
        inBlock.add(tx.id());
      }
      for (Map.Entry<PublicKey, Long> sender : highest.entrySet()) {
        TreeMap<Long, Entry> senderTxs = bySender.get(sender.getKey());
        if (senderTxs == null) {
          continue;
        }
        for (Entry entry : senderTxs.headMap(sender.getValue(), true).values()) {
          if (!inBlock.contains(entry.tx().id())) {
            stale.add(entry.tx());
          }
        }
      }
      for (Transaction tx : block.transactions()) {
        finalizing.add(tx.id());
        unindexInto(tx, removed);
      }
      for (Transaction tx : stale) {
        evicting.add(tx.id());
        unindexInto(tx, removed);
      }
      for (Map.Entry<PublicKey, Long> sender : highest.entrySet()) {
        nonceBefore.put(sender.getKey(), finalizedNonce(sender.getKey()));
        finalizedNonces.merge(sender.getKey(), sender.getValue(), Math::max);
      }
    }
    try {
      List<Long> leavingStore = removed.stream().filter(Entry::stored).map(Entry::seq).toList();
      store.commitBlock(block, certificate, leavingStore, durable);
      // Copies that come later are duplicates now; their records would only crowd out ones still needed.
      validator.forgetVerified(block.transactions());
    } catch (RuntimeException e) {
      synchronized (this) {
        finalizedNonces.putAll(nonceBefore);
        removed.forEach(this::index);
      }
      throw e;
    } finally {
      synchronized (this) {
        block.transactions().forEach(tx -> finalizing.remove(tx.id()));
        stale.forEach(tx -> evicting.remove(tx.id()));
        boundNonceCache();
      }
    }
    return stale;
  }

  private void unindexInto(Transaction tx, List<Entry> removed) {
    Entry entry = byId.get(tx.id());
    if (entry != null) {
      removed.add(entry);
      unindex(tx);
    }
  }

  /** Cached nonces of senders with nothing pending are cheap to re-read; keeps the cache bounded. */
  private void boundNonceCache() {
    if (finalizedNonces.size() > 4 * Math.max(capacity, 1024)) {
      for (Iterator<PublicKey> it = finalizedNonces.keySet().iterator(); it.hasNext(); ) {
        if (!bySender.containsKey(it.next())) {
          it.remove();
        }
      }
    }
  }

  /** Ids of all pending transactions, oldest first (for the admin API). */
  public synchronized List<Hash> pendingIds() {
    return byId.values().stream().sorted((a, b) -> Long.compare(a.seq(), b.seq())).map(e -> e.tx().id()).toList();
  }
}
