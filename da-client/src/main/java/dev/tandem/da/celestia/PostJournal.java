package dev.tandem.da.celestia;

import dev.tandem.da.DaReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Durable record, by idempotency key, of every post: started (before {@code blob.Submit} is sent,
 * with the node's head height then), included (the height Submit reported), posted (the receipt),
 * or aborted (the node refused it, so nothing was posted). Each line is fsynced before the step it
 * records goes ahead. A torn last line (crash mid-write) is cut off on open; any other malformed
 * line stops the client. The file is locked so that two clients cannot share it.
 *
 * <p>Lines: {@code start KEY NAMESPACE SHA256 HEIGHT}, {@code included KEY HEIGHT},
 * {@code posted KEY RECEIPT}, {@code aborted KEY}; keys, digests and receipts in hex, the Tandem
 * namespace and heights in decimal.
 */
final class PostJournal implements AutoCloseable {
  static final String FILE_NAME = "celestia-posts.journal";

  /** A post that was started and is neither posted nor aborted. {@code includedHeight} is -1 until known. */
  record Pending(long namespace, byte[] dataDigest, long startHeight, long includedHeight) {}

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, DaReceipt> posted = new HashMap<>();

  PostJournal(Path dir) {
    this.file = dir.resolve(FILE_NAME);
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the Celestia post journal " + file, e);
    }
    FileLock acquired;
    try {
      acquired = channel.tryLock();
    } catch (OverlappingFileLockException | IOException e) {
      acquired = null;
    }
    if (acquired == null) {
      closeQuietly();
      throw new IllegalStateException("the Celestia post journal " + file + " is in use by another client; "
          + "give each CelestiaDa its own journal directory");
    }
    lock = acquired;
    try {
      load();
    } catch (IOException e) {
      closeQuietly();
      throw new UncheckedIOException("cannot read the Celestia post journal " + file, e);
    } catch (IllegalStateException e) {
      closeQuietly();
      throw e;
    }
  }

  private void load() throws IOException {
    byte[] content = Files.readAllBytes(file);
    int end = content.length;
    while (end > 0 && content[end - 1] != '\n') {
      end--;
    }
    if (end < content.length) {
      channel.truncate(end); // torn last line: its step never went ahead
      channel.force(true);
    }
    String[] lines = new String(content, 0, end, StandardCharsets.US_ASCII).split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty() && end == 0) {
        continue;
      }
      try {
        apply(lines[i].split(" "));
      } catch (RuntimeException e) {
        throw new IllegalStateException("the Celestia post journal " + file + " line " + (i + 1) + " is malformed ("
            + e.getMessage() + "); it was not written by this client, so restore it from a backup rather than "
            + "deleting it, or a batch may be posted twice", e);
      }
    }
  }

  private void apply(String[] parts) {
    switch (parts[0]) {
      case "start" -> {
        expect(parts, 5);
        pending.put(parts[1], new Pending(Long.parseUnsignedLong(parts[2]), HexFormat.of().parseHex(parts[3]),
            Long.parseLong(parts[4]), -1));
      }
      case "included" -> {
        expect(parts, 3);
        Pending started = pending.get(parts[1]);
        if (started == null) {
          throw new IllegalArgumentException("included without start");
        }
        pending.put(parts[1], new Pending(started.namespace(), started.dataDigest(), started.startHeight(),
            Long.parseLong(parts[2])));
      }
      case "posted" -> {
        expect(parts, 3);
        pending.remove(parts[1]);
        posted.put(parts[1], DaReceipt.decode(HexFormat.of().parseHex(parts[2])));
      }
      case "aborted" -> {
        expect(parts, 2);
        pending.remove(parts[1]);
      }
      default -> throw new IllegalArgumentException("unknown entry '" + parts[0] + "'");
    }
  }

  private static void expect(String[] parts, int count) {
    if (parts.length != count) {
      throw new IllegalArgumentException(parts[0] + " needs " + count + " fields, has " + parts.length);
    }
  }

  synchronized Optional<DaReceipt> posted(String key) {
    return Optional.ofNullable(posted.get(key));
  }

  synchronized Optional<Pending> pending(String key) {
    return Optional.ofNullable(pending.get(key));
  }

  synchronized void started(String key, long namespace, byte[] dataDigest, long startHeight) {
    String[] line = {"start", key, Long.toUnsignedString(namespace), HexFormat.of().formatHex(dataDigest),
        Long.toString(startHeight)};
    append(line);
  }

  synchronized void included(String key, long height) {
    append(new String[] {"included", key, Long.toString(height)});
  }

  synchronized void posted(String key, DaReceipt receipt) {
    append(new String[] {"posted", key, HexFormat.of().formatHex(receipt.encode())});
  }

  synchronized void aborted(String key) {
    append(new String[] {"aborted", key});
  }

  private void append(String[] parts) {
    byte[] line = (String.join(" ", parts) + "\n").getBytes(StandardCharsets.US_ASCII);
    try {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      long position = channel.size();
      while (buffer.hasRemaining()) {
        position += channel.write(buffer, position);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the Celestia post journal " + file, e);
    }
    apply(parts);
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing more to release
    }
  }

  @Override
  public synchronized void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly();
  }
}
