package dev.tandem.node.consensus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The consensus safety state on disk, written before every vote or timeout: two files written in
 * turn, each overwritten in place and synced with one {@code fdatasync}. An LMDB commit costs two
 * syncs and, as its file grows, journal commits; this write is on the critical path of every view.
 *
 * <p>Record: {@code u32 magic, u64 sequence, u32 length, u32 crc32c(sequence, length, payload),
 * payload}. Reading takes the valid record with the highest sequence. A crash mid-write can tear
 * only the record being written, whose vote never left; the other file still holds the one before.
 * If files hold bytes but neither holds a valid record, reading refuses: starting without the
 * state could make this validator sign twice.
 */
final class SafetyFile implements AutoCloseable {
  static final int MAGIC = 0x54534631; // "TSF1"
  static final int HEADER_BYTES = 4 + 8 + 4 + 4;
  /** Larger than any safety state (a locked chain of at most {@code SYNC_BATCH} blocks of about 1 MiB). */
  static final int MAX_PAYLOAD_BYTES = 64 << 20;

  private final Path[] paths;
  private final FileChannel[] slots = new FileChannel[2];
  private long sequence;

  private SafetyFile(Path directory) throws IOException {
    paths = new Path[] {directory.resolve("safety-0.bin"), directory.resolve("safety-1.bin")};
    for (int i = 0; i < 2; i++) {
      slots[i] = FileChannel.open(paths[i], StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    }
  }

  /** Opens (creating if needed) the two files in {@code directory}. */
  static SafetyFile open(Path directory) {
    try {
      return new SafetyFile(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the safety state files in " + directory, e);
    }
  }

  /**
   * The last state written, or empty if none was ever written.
   *
   * @throws IllegalStateException if the files hold bytes but no valid record
   */
  Optional<byte[]> read() {
    Record best = null;
    boolean anyBytes = false;
    for (FileChannel slot : slots) {
      try {
        anyBytes |= slot.size() > 0;
        Record record = readRecord(slot);
        if (record != null && (best == null || record.sequence > best.sequence)) {
          best = record;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the safety state files " + paths[0] + ", " + paths[1], e);
      }
    }
    if (best == null && anyBytes) {
      throw new IllegalStateException("the safety state files " + paths[0] + " and " + paths[1]
          + " hold no valid record; starting without it could make this validator vote twice in a view. Restore"
          + " them from a backup, or, only if this validator never voted, delete both");
    }
    if (best != null) {
      sequence = best.sequence;
      return Optional.of(best.payload);
    }
    return Optional.empty();
  }

  /** Writes {@code payload} over the older record and syncs it; returns once it is durable. */
  void write(byte[] payload) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("safety state of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
    }
    long next = sequence + 1;
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    record.putInt(MAGIC).putLong(next).putInt(payload.length).putInt(checksum(next, payload)).put(payload).flip();
    FileChannel slot = slots[(int) (next & 1)];
    try {
      long position = 0;
      while (record.hasRemaining()) {
        position += slot.write(record, position);
      }
      // Data only: the file keeps its size unless this record is the largest yet, so no metadata is synced.
      slot.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the safety state to " + paths[(int) (next & 1)], e);
    }
    sequence = next;
  }

  private record Record(long sequence, byte[] payload) {}

  /** The slot's record, or null if it is empty, torn or damaged. */
  private static Record readRecord(FileChannel slot) throws IOException {
    long size = slot.size();
    if (size < HEADER_BYTES) {
      return null;
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    readFully(slot, header, 0);
    header.flip();
    int magic = header.getInt();
    long sequence = header.getLong();
    int length = header.getInt();
    int crc = header.getInt();
    if (magic != MAGIC || length < 0 || length > MAX_PAYLOAD_BYTES || HEADER_BYTES + (long) length > size) {
      return null;
    }
    ByteBuffer payload = ByteBuffer.allocate(length);
    readFully(slot, payload, HEADER_BYTES);
    byte[] bytes = payload.array();
    return checksum(sequence, bytes) == crc ? new Record(sequence, bytes) : null;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        throw new IOException("file ended early");
      }
      at += read;
    }
  }

  private static int checksum(long sequence, byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(12).putLong(sequence).putInt(payload.length).flip());
    crc.update(payload);
    return (int) crc.getValue();
  }

  @Override
  public void close() {
    for (FileChannel slot : slots) {
      try {
        slot.close();
      } catch (IOException e) {
        // closing after the last sync; nothing is lost
      }
    }
  }
}
