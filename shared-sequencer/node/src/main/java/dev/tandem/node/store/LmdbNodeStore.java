package dev.tandem.node.store;

import dev.tandem.bundles.BundleRules;
import dev.tandem.bundles.SignedManifest;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.lmdbjava.ByteArrayProxy;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * {@link NodeStore} on one LMDB environment. Every write survives {@code kill -9}; every write but
 * a block commit that is not asked to be durable also survives power loss. LMDB runs with
 * {@code MDB_NOMETASYNC}: a commit syncs its data pages, not the meta page that makes it current;
 * durable writes then sync that too. A block commit that need not be durable (the block can be
 * fetched again from the validators that finalized it) saves that second {@code fdatasync}, and
 * a machine crash can at worst undo it, never tear the database. Keys are big-endian so that
 * heights sort numerically.
 *
 * <p>Tables: {@code blocks} u64 height → block encoding; {@code block_hashes} hash → u64 height;
 * {@code txs} tx id → (u64 height, u32 index, u64 namespace); {@code nonces} sender → u64 nonce;
 * {@code pending} u64 admission seq → tx encoding (keyed by admission order, so that admissions
 * append and finalizations delete near the front rather than each touching a random page; before
 * 2026-12-02 the table was {@code mempool}, keyed by tx id, which opening moves over);
 * {@code meta} "finalized" → u64 height;
 * {@code bundles} bundle key → u64 height of the block that recorded its manifest;
 * {@code bundle_pool} bundle key → encoding of a pending bundle.
 */
public final class LmdbNodeStore implements NodeStore {
  private static final byte[] FINALIZED_KEY = "finalized".getBytes(StandardCharsets.US_ASCII);

  private final Env<byte[]> env;
  private final Dbi<byte[]> blocks;
  private final Dbi<byte[]> blockHashes;
  private final Dbi<byte[]> txs;
  private final Dbi<byte[]> nonces;
  private final Dbi<byte[]> pending;
  private final Dbi<byte[]> meta;
  private final Dbi<byte[]> bundles;
  private final Dbi<byte[]> bundlePool;
  /** Height to the encoded quorum certificate that finalized the block, written with the block. */
  private final Dbi<byte[]> certificates;
  private final Object group = new Object();
  private final List<GroupWrite> groupQueue = new ArrayList<>();
  private boolean groupWriting;
  private final AtomicLong groupCommits = new AtomicLong();
  /** Reads and writes hold it shared, {@link #close} exclusively: LMDB must not close under a transaction. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();

  /** One queued write (a pending transaction or bundle); fields guarded by {@link #group}. */
  private static final class GroupWrite {
    final Dbi<byte[]> table;
    final byte[] key;
    final byte[] value;
    boolean done;
    RuntimeException failure;

    GroupWrite(Dbi<byte[]> table, byte[] key, byte[] value) {
      this.table = table;
      this.key = key;
      this.value = value;
    }
  }

  private LmdbNodeStore(Env<byte[]> env) {
    this.env = env;
    this.blocks = env.openDbi("blocks", DbiFlags.MDB_CREATE);
    this.blockHashes = env.openDbi("block_hashes", DbiFlags.MDB_CREATE);
    this.txs = env.openDbi("txs", DbiFlags.MDB_CREATE);
    this.nonces = env.openDbi("nonces", DbiFlags.MDB_CREATE);
    this.pending = env.openDbi("pending", DbiFlags.MDB_CREATE);
    this.meta = env.openDbi("meta", DbiFlags.MDB_CREATE);
    this.bundles = env.openDbi("bundles", DbiFlags.MDB_CREATE);
    this.bundlePool = env.openDbi("bundle_pool", DbiFlags.MDB_CREATE);
    this.certificates = env.openDbi("certificates", DbiFlags.MDB_CREATE);
    moveIdKeyedMempool();
  }

  /**
   * Stores written before 2026-12-02 kept pending transactions by id in {@code mempool} (value: u64
   * admission seq, then the encoding); moves them to {@code pending}, keyed by that seq, in one write.
   */
  private void moveIdKeyedMempool() {
    Dbi<byte[]> old;
    try {
      old = env.openDbi("mempool");
    } catch (LmdbException absent) {
      return; // a store that never had it
    }
    write(txn -> {
      try (CursorIterable<byte[]> entries = old.iterate(txn)) {
        for (CursorIterable.KeyVal<byte[]> entry : entries) {
          byte[] value = entry.val();
          if (value.length < 8) {
            throw new StoreException("stored mempool entry is corrupt: " + value.length + " bytes");
          }
          pending.put(txn, Arrays.copyOf(value, 8), Arrays.copyOfRange(value, 8, value.length));
        }
      }
      old.drop(txn, true);
    });
  }

  /** Opens (creating if needed) the store in {@code directory}. */
  public static LmdbNodeStore open(Path directory, long mapSizeBytes) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StoreException("cannot create the store directory " + directory + ": " + e.getMessage(), e);
    }
    try {
      // MDB_NOTLS ties reader slots to transactions, not threads, so any pool thread may read.
      Env<byte[]> env = Env.create(ByteArrayProxy.PROXY_BA).setMapSize(mapSizeBytes).setMaxDbs(16)
          .setMaxReaders(256).open(directory.toFile(), EnvFlags.MDB_NOTLS, EnvFlags.MDB_NOMETASYNC);
      return new LmdbNodeStore(env);
    } catch (LmdbException e) {
      throw new StoreException("cannot open LMDB in " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long finalizedHeight() {
    return read(this::finalizedHeight);
  }

  private long finalizedHeight(Txn<byte[]> txn) {
    byte[] value = meta.get(txn, FINALIZED_KEY);
    return value == null ? 0 : u64(value);
  }

  @Override
  public Optional<byte[]> certificate(long height) {
    return read(txn -> Optional.ofNullable(certificates.get(txn, u64Bytes(height))));
  }

  @Override
  public Optional<Block> block(long height) {
    byte[] value = read(txn -> blocks.get(txn, u64Bytes(height)));
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Block.decode(value));
    } catch (DecodingException e) {
      throw new StoreException("stored block " + height + " is corrupt: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<BlockHeader> header(long height) {
    byte[] value = read(txn -> blocks.get(txn, u64Bytes(height)));
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(BlockHeader.read(new CanonicalReader(value)));
    } catch (DecodingException e) {
      throw new StoreException("stored block " + height + " has a corrupt header: " + e.getMessage(), e);
    }
  }

  @Override
  public OptionalLong heightOf(Hash blockHash) {
    byte[] value = read(txn -> blockHashes.get(txn, blockHash.toBytes()));
    return value == null ? OptionalLong.empty() : OptionalLong.of(u64(value));
  }

  @Override
  public Optional<TxLocation> locate(Hash txId) {
    byte[] value = read(txn -> txs.get(txn, txId.toBytes()));
    if (value == null) {
      return Optional.empty();
    }
    CanonicalReader reader = new CanonicalReader(value);
    return Optional.of(new TxLocation(reader.u64("height"), (int) reader.u32("index"), reader.u64("namespace")));
  }

  @Override
  public OptionalLong finalizedNonce(PublicKey sender) {
    byte[] value = read(txn -> nonces.get(txn, sender.toBytes()));
    return value == null ? OptionalLong.empty() : OptionalLong.of(u64(value));
  }

  @Override
  public PendingWrite queuePending(Transaction tx, long admissionSeq) {
    CanonicalWriter value = new CanonicalWriter(tx.encodedLength());
    tx.writeTo(value);
    return queue(new GroupWrite(pending, u64Bytes(admissionSeq), value.toByteArray()), "mempool");
  }

  /**
   * Group commit: a write joins the queue; whoever awaits one and finds no write in progress becomes
   * the leader and writes everything queued so far in one transaction, the others wait for it. One
   * sync then covers many writes.
   */
  private PendingWrite queue(GroupWrite write, String what) {
    synchronized (group) {
      groupQueue.add(write);
    }
    return () -> awaitGroupWrite(write, what);
  }

  /** Waits for a queued write, writing everything queued so far when no other thread is. */
  private void awaitGroupWrite(GroupWrite mine, String what) {
    while (true) {
      List<GroupWrite> batch;
      synchronized (group) {
        while (groupWriting && !mine.done) {
          waitOn(group);
        }
        if (mine.done) {
          break;
        }
        groupWriting = true;
        batch = new ArrayList<>(groupQueue);
        groupQueue.clear();
      }
      RuntimeException failure = null;
      try {
        write(txn -> {
          for (GroupWrite entry : batch) {
            entry.table.put(txn, entry.key, entry.value);
          }
        });
        groupCommits.incrementAndGet();
      } catch (RuntimeException e) {
        failure = e;
      }
      synchronized (group) {
        for (GroupWrite entry : batch) {
          entry.failure = failure;
          entry.done = true;
        }
        groupWriting = false;
        group.notifyAll();
      }
    }
    if (mine.failure != null) {
      throw new StoreException(what + " write failed: " + mine.failure.getMessage(), mine.failure);
    }
  }

  /** How many group commits wrote pending transactions or bundles so far. */
  public long groupCommits() {
    return groupCommits.get();
  }

  private static void waitOn(Object monitor) {
    try {
      monitor.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for a mempool write", e);
    }
  }

  @Override
  public void removePending(Collection<Long> admissionSeqs) {
    write(txn -> admissionSeqs.forEach(seq -> pending.delete(txn, u64Bytes(seq))));
  }

  @Override
  public List<PendingTx> pending() {
    List<PendingTx> out = new ArrayList<>();
    List<byte[][]> stored = read(txn -> {
      List<byte[][]> entries = new ArrayList<>();
      try (CursorIterable<byte[]> cursor = pending.iterate(txn)) {
        for (CursorIterable.KeyVal<byte[]> entry : cursor) {
          entries.add(new byte[][] {entry.key(), entry.val()});
        }
      }
      return entries;
    });
    for (byte[][] entry : stored) { // in admission order: big-endian keys
      try {
        CanonicalReader reader = new CanonicalReader(entry[1]);
        Transaction tx = Transaction.read(reader);
        reader.end();
        out.add(new PendingTx(tx, u64(entry[0])));
      } catch (DecodingException e) {
        throw new StoreException("stored mempool entry is corrupt: " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public void commitBlock(Block block, byte[] certificate, Collection<Long> leavingPending, boolean durable) {
    write(durable, txn -> {
      long expected = finalizedHeight(txn) + 1;
      if (block.height() != expected) {
        throw new StoreException("block height " + block.height() + " does not extend the log; expected " + expected);
      }
      byte[] height = u64Bytes(block.height());
      blocks.put(txn, height, block.encode());
      if (certificate.length > 0) {
        certificates.put(txn, height, certificate);
      }
      blockHashes.put(txn, block.hash().toBytes(), height);
      Map<PublicKey, Long> highest = new HashMap<>();
      List<Transaction> list = block.transactions();
      for (int i = 0; i < list.size(); i++) {
        Transaction tx = list.get(i);
        byte[] id = tx.id().toBytes();
        txs.put(txn, id, new CanonicalWriter(20).u64(block.height()).u32(i).u64(tx.namespace().id()).toByteArray());
        // Manifests (namespace 0) take no account nonce.
        if (!tx.namespace().equals(Namespace.SYSTEM)) {
          highest.merge(tx.sender(), tx.nonce(), Math::max);
        }
      }
      for (SignedManifest manifest : BundleRules.manifests(block)) {
        byte[] key = manifest.bundleKey().toBytes();
        bundles.put(txn, key, height);
        bundlePool.delete(txn, key);
      }
      for (Map.Entry<PublicKey, Long> entry : highest.entrySet()) {
        byte[] key = entry.getKey().toBytes();
        byte[] current = nonces.get(txn, key);
        if (current == null || u64(current) < entry.getValue()) {
          nonces.put(txn, key, u64Bytes(entry.getValue()));
        }
      }
      for (long seq : leavingPending) {
        pending.delete(txn, u64Bytes(seq));
      }
      meta.put(txn, FINALIZED_KEY, height);
    });
  }

  @Override
  public OptionalLong bundleHeight(Hash bundleKey) {
    byte[] value = read(txn -> bundles.get(txn, bundleKey.toBytes()));
    return value == null ? OptionalLong.empty() : OptionalLong.of(u64(value));
  }

  @Override
  public void putPendingBundle(Hash bundleKey, byte[] encodedBundle) {
    queue(new GroupWrite(bundlePool, bundleKey.toBytes(), encodedBundle), "pending bundle").await();
  }

  @Override
  public void removePendingBundles(Collection<Hash> bundleKeys) {
    if (bundleKeys.isEmpty()) {
      return;
    }
    write(txn -> {
      for (Hash key : bundleKeys) {
        bundlePool.delete(txn, key.toBytes());
      }
    });
  }

  @Override
  public List<byte[]> pendingBundles() {
    return read(txn -> {
      List<byte[]> out = new ArrayList<>();
      try (CursorIterable<byte[]> entries = bundlePool.iterate(txn)) {
        for (CursorIterable.KeyVal<byte[]> entry : entries) {
          out.add(entry.val());
        }
      }
      return out;
    });
  }

  /** A durable write: synced, meta page included, when this returns. */
  private void write(Consumer<Txn<byte[]>> body) {
    write(true, body);
  }

  private void write(boolean durable, Consumer<Txn<byte[]>> body) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      try (Txn<byte[]> txn = env.txnWrite()) {
        body.accept(txn);
        txn.commit();
      } catch (LmdbException e) {
        throw new StoreException("LMDB write failed: " + e.getMessage(), e);
      }
      if (durable) {
        sync();
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Syncs the meta page of the last commit (its data pages were synced by the commit). */
  private void sync() {
    try {
      env.sync(true);
    } catch (LmdbException e) {
      throw new StoreException("LMDB sync failed: " + e.getMessage(), e);
    }
  }

  private <T> T read(Function<Txn<byte[]>, T> body) {
    lifecycle.readLock().lock();
    try {
      ensureOpen();
      try (Txn<byte[]> txn = env.txnRead()) {
        return body.apply(txn);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void ensureOpen() {
    if (env.isClosed()) {
      throw new StoreException("the store is closed");
    }
  }

  /** Waits for the reads and writes under way, then closes; later ones fail with {@link StoreException}. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!env.isClosed()) {
        sync();
        env.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private static byte[] u64Bytes(long value) {
    return new CanonicalWriter(8).u64(value).toByteArray();
  }

  private static long u64(byte[] value) {
    return new CanonicalReader(value).u64("u64");
  }
}
