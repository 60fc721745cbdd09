package dev.tandem.da.local;

import dev.tandem.da.DaException;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * The embedded local DA layer: an append-only blob store on LMDB. Every blob gets a global
 * sequence number and a commitment {@code SHA-256(len(tag) || tag || data)} with tag
 * {@code tandem/local-da/v1}, so anyone holding the commitment can check the bytes. A post commits (and syncs) before it returns.
 */
public final class LocalDa implements DaLayer {
  public static final String LAYER = "local";
  public static final int DEFAULT_MAX_BLOB_BYTES = 16 << 20;
  private static final byte[] TAG = "tandem/local-da/v1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_KEY_BYTES = 64;

  /** A stored blob's place in the log. */
  public record BlobInfo(long namespace, long sequence, byte[] commitment, int size) {}

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> blobs;
  private final Dbi<ByteBuffer> byKey;
  private final Dbi<ByteBuffer> byNamespace;
  private final int maxBlobBytes;
  private final Object writeLock = new Object();

  private LocalDa(Env<ByteBuffer> env, int maxBlobBytes) {
    this.env = env;
    this.blobs = env.openDbi("blobs", DbiFlags.MDB_CREATE);
    this.byKey = env.openDbi("by-key", DbiFlags.MDB_CREATE);
    this.byNamespace = env.openDbi("by-namespace", DbiFlags.MDB_CREATE);
    this.maxBlobBytes = maxBlobBytes;
  }

  public static LocalDa open(Path directory, long mapSizeBytes, int maxBlobBytes) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the local DA directory " + directory, e);
    }
    Env<ByteBuffer> env = Env.create().setMapSize(mapSizeBytes).setMaxDbs(3).open(directory.toFile());
    return new LocalDa(env, maxBlobBytes);
  }

  public static LocalDa open(Path directory) {
    return open(directory, 4L << 30, DEFAULT_MAX_BLOB_BYTES);
  }

  @Override
  public String name() {
    return LAYER;
  }

  public int maxBlobBytes() {
    return maxBlobBytes;
  }

  public static byte[] commitment(byte[] data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((byte) TAG.length);
      sha.update(TAG);
      sha.update(data);
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  @Override
  public DaReceipt post(long namespace, byte[] data, byte[] idempotencyKey) throws DaException {
    if (data.length > maxBlobBytes) {
      throw new DaException("blob of " + data.length + " bytes exceeds the local DA limit of " + maxBlobBytes, false);
    }
    if (idempotencyKey.length == 0 || idempotencyKey.length > MAX_KEY_BYTES) {
      throw new DaException("idempotency key must be 1 to " + MAX_KEY_BYTES + " bytes", false);
    }
    byte[] commitment = commitment(data);
    synchronized (writeLock) {
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        ByteBuffer existing = byKey.get(txn, direct(idempotencyKey));
        if (existing != null) {
          byte[] earlier = bytes(existing);
          return new DaReceipt(LAYER, earlier, sequenceOf(txn, earlier));
        }
        if (blobs.get(txn, direct(commitment)) != null) {
          // The same bytes are already stored: one blob, another key (and maybe another namespace).
          byKey.put(txn, direct(idempotencyKey), direct(commitment));
          long sequence = sequenceOf(txn, commitment);
          byNamespace.put(txn, namespaceKey(namespace, sequence), direct(commitment));
          txn.commit();
          return new DaReceipt(LAYER, commitment, sequence);
        }
        long sequence = nextSequence(txn);
        ByteBuffer value = ByteBuffer.allocateDirect(16 + data.length);
        value.putLong(namespace).putLong(sequence).put(data).flip();
        blobs.put(txn, direct(commitment), value);
        byKey.put(txn, direct(idempotencyKey), direct(commitment));
        byNamespace.put(txn, namespaceKey(namespace, sequence), direct(commitment));
        txn.commit();
        return new DaReceipt(LAYER, commitment, sequence);
      }
    }
  }

  @Override
  public byte[] fetch(DaReceipt receipt) throws DaException {
    return get(receipt.commitment())
        .orElseThrow(() -> new DaException("local DA has no blob with commitment " + receipt.commitmentHex(), false));
  }

  /** The blob with this commitment, if stored. */
  public Optional<byte[]> get(byte[] commitment) {
    if (commitment.length != 32) {
      return Optional.empty();
    }
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer value = blobs.get(txn, direct(commitment));
      if (value == null) {
        return Optional.empty();
      }
      value.position(16);
      return Optional.of(bytes(value));
    }
  }

  /** Blobs of a namespace from sequence {@code fromSequence} on, at most {@code limit}. */
  public List<BlobInfo> list(long namespace, long fromSequence, int limit) {
    List<BlobInfo> out = new ArrayList<>();
    try (Txn<ByteBuffer> txn = env.txnRead();
        CursorIterable<ByteBuffer> entries = byNamespace.iterate(txn,
            KeyRange.closed(namespaceKey(namespace, fromSequence), namespaceKey(namespace, Long.MAX_VALUE)))) {
      for (CursorIterable.KeyVal<ByteBuffer> entry : entries) {
        if (out.size() >= limit) {
          break;
        }
        byte[] commitment = bytes(entry.val());
        ByteBuffer blob = blobs.get(txn, direct(commitment));
        out.add(new BlobInfo(namespace, entry.key().getLong(8), commitment, blob.remaining() - 16));
      }
    }
    return out;
  }

  private long sequenceOf(Txn<ByteBuffer> txn, byte[] commitment) {
    return blobs.get(txn, direct(commitment)).getLong(8);
  }

  /** The next sequence number: blobs are never deleted and each has one sequence, so it is the count. */
  private long nextSequence(Txn<ByteBuffer> txn) {
    return blobs.stat(txn).entries;
  }

  private static ByteBuffer namespaceKey(long namespace, long sequence) {
    ByteBuffer key = ByteBuffer.allocateDirect(16);
    key.putLong(namespace).putLong(sequence).flip();
    return key;
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  @Override
  public void close() {
    env.close();
  }
}
