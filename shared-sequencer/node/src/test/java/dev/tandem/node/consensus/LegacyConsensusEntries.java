package dev.tandem.node.consensus;

import dev.tandem.core.CanonicalWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/** Writes an entry the way older consensus stores kept it in LMDB, for tests that read it back. */
final class LegacyConsensusEntries {
  private LegacyConsensusEntries() {}

  /** Puts {@code value} under the store's key {@code (kind, index)} in the LMDB environment in {@code dir}. */
  static void write(Path dir, char kind, long index, byte[] value) {
    try (Env<ByteBuffer> env = Env.create().setMapSize(1L << 24).setMaxDbs(1).open(dir.toFile())) {
      var db = env.openDbi("consensus", DbiFlags.MDB_CREATE);
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        db.put(txn, direct(new CanonicalWriter(9).u8(kind).u64(index).toByteArray()), direct(value));
        txn.commit();
      }
    }
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer;
  }
}
