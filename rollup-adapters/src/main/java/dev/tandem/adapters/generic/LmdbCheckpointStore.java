package dev.tandem.adapters.generic;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** Adapter checkpoints in their own LMDB environment; each write commits (and syncs) before returning. */
public final class LmdbCheckpointStore implements CheckpointStore {
  private static final long MAP_SIZE = 256L << 20;
  private static final byte PROGRESS = 'p';
  private static final byte RECEIPT = 'r';

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> db;

  private LmdbCheckpointStore(Env<ByteBuffer> env, Dbi<ByteBuffer> db) {
    this.env = env;
    this.db = db;
  }

  public static LmdbCheckpointStore open(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the adapter checkpoint directory " + directory, e);
    }
    Env<ByteBuffer> env = Env.create().setMapSize(MAP_SIZE).setMaxDbs(1).open(directory.toFile());
    return new LmdbCheckpointStore(env, env.openDbi("checkpoints", DbiFlags.MDB_CREATE));
  }

  @Override
  public Progress progress(Namespace namespace) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer value = db.get(txn, key(PROGRESS, namespace, 0));
      if (value == null) {
        return new Progress(1, Optional.empty());
      }
      byte[] bytes = new byte[value.remaining()];
      value.get(bytes);
      CanonicalReader reader = new CanonicalReader(bytes);
      long next = reader.u64("next height");
      boolean hasPending = reader.u8("pending flag") == 1;
      Optional<Range> pending = Optional.empty();
      if (hasPending) {
        pending = Optional.of(new Range(reader.u64("pending first"), reader.u64("pending last")));
      }
      return new Progress(next, pending);
    }
  }

  @Override
  public List<Namespace> namespaces() {
    List<Namespace> namespaces = new ArrayList<>();
    try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> entries = db.iterate(txn, KeyRange.all())) {
      for (CursorIterable.KeyVal<ByteBuffer> entry : entries) {
        ByteBuffer key = entry.key();
        if (key.get(0) == PROGRESS) {
          namespaces.add(Namespace.of(key.getLong(1)));
        }
      }
    }
    return namespaces;
  }

  @Override
  public void markPending(Namespace namespace, Range range) {
    Progress current = progress(namespace);
    if (range.firstHeight() != current.nextHeight()) {
      throw new IllegalStateException("pending batch must start at " + current.nextHeight() + ", not " + range.firstHeight());
    }
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key(PROGRESS, namespace, 0), progressValue(current.nextHeight(), range));
      txn.commit();
    }
  }

  @Override
  public void markPosted(Namespace namespace, Range range, byte[] receipt) {
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key(RECEIPT, namespace, range.firstHeight()), direct(receipt));
      db.put(txn, key(PROGRESS, namespace, 0), progressValue(range.lastHeight() + 1, null));
      txn.commit();
    }
  }

  @Override
  public Optional<byte[]> receipt(Namespace namespace, long firstHeight) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer value = db.get(txn, key(RECEIPT, namespace, firstHeight));
      if (value == null) {
        return Optional.empty();
      }
      byte[] bytes = new byte[value.remaining()];
      value.get(bytes);
      return Optional.of(bytes);
    }
  }

  private static ByteBuffer key(byte kind, Namespace namespace, long height) {
    return direct(new CanonicalWriter(17).u8(kind).u64(namespace.id()).u64(height).toByteArray());
  }

  private static ByteBuffer progressValue(long next, Range pending) {
    CanonicalWriter writer = new CanonicalWriter(25).u64(next).u8(pending == null ? 0 : 1);
    if (pending != null) {
      writer.u64(pending.firstHeight()).u64(pending.lastHeight());
    }
    return direct(writer.toByteArray());
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, bytes.length));
    buffer.put(bytes).flip();
    return buffer;
  }

  @Override
  public void close() {
    env.close();
  }
}
