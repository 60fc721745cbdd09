package dev.tandem.node.consensus;

import dev.tandem.bft.Equivocation;
import dev.tandem.bft.SafetyState;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.core.CanonicalWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * What consensus must keep across crashes, in its own directory: the safety state (written, and
 * synced, before any vote or timeout leaves the node) in a {@link SafetyFile}, and in an LMDB
 * environment the equivocation evidence it saw (for slashing). Finalized blocks' quorum
 * certificates are written with their blocks in the node's log; directories from before that keep
 * older ones here, and older safety states too until the first write. Both are read from here.
 */
final class ConsensusStore implements AutoCloseable {
  private static final byte SAFETY = 's';
  private static final byte CERTIFICATE = 'q';
  private static final byte EVIDENCE = 'e';

  private final Env<ByteBuffer> env;
  private final Dbi<ByteBuffer> db;
  private final SafetyFile safetyFile;

  private ConsensusStore(Env<ByteBuffer> env, SafetyFile safetyFile) {
    this.env = env;
    this.db = env.openDbi("consensus", DbiFlags.MDB_CREATE);
    this.safetyFile = safetyFile;
  }

  static ConsensusStore open(Path directory) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the consensus directory " + directory, e);
    }
    return new ConsensusStore(Env.create().setMapSize(1L << 30).setMaxDbs(1).open(directory.toFile()),
        SafetyFile.open(directory));
  }

  Optional<SafetyState> safety() {
    return safetyFile.read().or(() -> read(key(SAFETY, 0))).map(SafetyState::decode);
  }

  void saveSafety(SafetyState state) {
    safetyFile.write(state.encode());
  }

  Optional<QuorumCertificate> certificate(long height) {
    return read(key(CERTIFICATE, height)).map(QuorumCertificate::decode);
  }

  /** Keeps evidence of an equivocation, one per view (the first seen). */
  void saveEvidence(Equivocation evidence) {
    if (read(key(EVIDENCE, evidence.view())).isEmpty()) {
      write(key(EVIDENCE, evidence.view()), evidence.encode());
    }
  }

  /** All kept evidence, by view. */
  List<Equivocation> evidence() {
    List<Equivocation> out = new ArrayList<>();
    try (Txn<ByteBuffer> txn = env.txnRead();
        CursorIterable<ByteBuffer> entries = db.iterate(txn, KeyRange.atLeast(key(EVIDENCE, 0)))) {
      for (CursorIterable.KeyVal<ByteBuffer> entry : entries) {
        if (entry.key().get(0) != EVIDENCE) {
          break;
        }
        byte[] bytes = new byte[entry.val().remaining()];
        entry.val().get(bytes);
        out.add(Equivocation.decode(bytes));
      }
    }
    return out;
  }

  private Optional<byte[]> read(ByteBuffer key) {
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer value = db.get(txn, key);
      if (value == null) {
        return Optional.empty();
      }
      byte[] bytes = new byte[value.remaining()];
      value.get(bytes);
      return Optional.of(bytes);
    }
  }

  private void write(ByteBuffer key, byte[] value) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(value.length);
    buffer.put(value).flip();
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      db.put(txn, key, buffer);
      txn.commit();
    }
  }

  private static ByteBuffer key(byte kind, long height) {
    byte[] bytes = new CanonicalWriter(9).u8(kind).u64(height).toByteArray();
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer;
  }

  @Override
  public void close() {
    safetyFile.close();
    env.close();
  }
}
