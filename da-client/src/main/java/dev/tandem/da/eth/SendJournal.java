package dev.tandem.da.eth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers, durably and before it is broadcast, every signed transaction by idempotency key, so
 * that after a restart the same key re-broadcasts the very same transaction (same nonce, same
 * hash) instead of posting the batch a second time. One line per entry:
 * {@code key txHash versionedHashes rawTx}, hex, versioned hashes comma-separated or {@code -}; a torn last line (crash mid-write) is ignored, as its transaction was never sent.
 */
final class SendJournal {
  record Entry(String key, String txHash, String versionedHashes, String rawTx) {}

  private final Path file;
  private final Map<String, Entry> entries = new HashMap<>();

  SendJournal(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (String line : lines) {
          String[] parts = line.split(" ");
          if (parts.length == 4 && parts[3].startsWith("0x")) {
            entries.put(parts[0], new Entry(parts[0], parts[1], parts[2], parts[3]));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the DA send journal " + file, e);
    }
  }

  synchronized Optional<Entry> find(String key) {
    return Optional.ofNullable(entries.get(key));
  }

  synchronized void record(Entry entry) {
    byte[] line = (entry.key() + " " + entry.txHash() + " " + entry.versionedHashes() + " " + entry.rawTx() + "\n").getBytes(StandardCharsets.US_ASCII);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the DA send journal " + file, e);
    }
    entries.put(entry.key(), entry);
  }
}
