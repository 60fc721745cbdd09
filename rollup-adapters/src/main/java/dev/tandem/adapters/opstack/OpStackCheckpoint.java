package dev.tandem.adapters.opstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An OP Stack adapter's durable progress, one small file per namespace, replaced atomically (write
 * a temporary file, sync it, rename it over the old one). Besides the next Tandem height it keeps
 * the next L2 block number, and the range in flight with the L2 block it started at, so that a
 * restart rebuilds exactly the same frames and posts them under the same idempotency keys.
 *
 * <p>Format, one line of ASCII: {@code v1 <nextHeight> <nextL2Block>} and, while a range is in
 * flight, {@code <firstHeight> <lastHeight> <firstL2Block>}.
 */
public final class OpStackCheckpoint {
  /** A range of Tandem heights being posted, whose first L2 block is {@code firstL2Block}. */
  public record Pending(long firstHeight, long lastHeight, long firstL2Block) {}

  /** Progress: the next Tandem height to read, the next L2 block number, the range in flight. */
  public record State(long nextHeight, long nextL2Block, Optional<Pending> pending) {}

  private final Path file;
  private final long firstL2Block;

  /** Progress in {@code file}; a missing file means nothing posted yet, starting at {@code firstL2Block}. */
  public OpStackCheckpoint(Path file, long firstL2Block) {
    this.file = file;
    this.firstL2Block = firstL2Block;
  }

  public State load() {
    if (!Files.exists(file)) {
      return new State(1, firstL2Block, Optional.empty());
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OP Stack checkpoint " + file, e);
    }
    String[] parts = text.split(" ");
    try {
      if (!parts[0].equals("v1") || (parts.length != 3 && parts.length != 6)) {
        throw new NumberFormatException();
      }
      long[] values = new long[parts.length - 1];
      for (int i = 1; i < parts.length; i++) {
        values[i - 1] = Long.parseLong(parts[i]);
        if (values[i - 1] < 0) {
          throw new NumberFormatException();
        }
      }
      Optional<Pending> pending = parts.length == 6 ? Optional.of(new Pending(values[2], values[3], values[4]))
          : Optional.empty();
      return new State(values[0], values[1], pending);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("the OP Stack checkpoint " + file + " is damaged ('" + text + "'); restore it "
          + "from a backup, or delete it to post the namespace again from height 1");
    }
  }

  public void save(State state) {
    StringBuilder line = new StringBuilder("v1 ").append(state.nextHeight()).append(' ').append(state.nextL2Block());
    state.pending().ifPresent(p -> line.append(' ').append(p.firstHeight()).append(' ').append(p.lastHeight())
        .append(' ').append(p.firstL2Block()));
    line.append('\n');
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(line.toString().getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the OP Stack checkpoint " + file, e);
    }
  }
}
