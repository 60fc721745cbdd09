package dev.tandem.node;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The node's Ed25519 key file ({@code node-key.hex} in the data directory): one line, the 32-byte
 * seed in 0x-hex, owner-readable only. Public so that tooling (devnets) can name validators before
 * their nodes start.
 */
public final class NodeKeys {
  public static final String FILE_NAME = "node-key.hex";

  private NodeKeys() {}

  /** Reads the key in {@code dataDir}, creating it on first start. */
  public static KeyPair loadOrCreate(Path dataDir) {
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
          return KeyPair.fromSeed(Hex.decode(text, KeyPair.SEED_LENGTH));
        } catch (DecodingException e) {
          throw new ConfigException("node key file " + file + " is not 32 bytes of 0x-hex: " + e.getMessage());
        }
      }
      KeyPair key = KeyPair.generate();
      // Write a temporary file and rename it, so a crash never leaves a half-written key behind.
      Path temp = Files.createTempFile(dataDir, FILE_NAME, ".tmp");
      try {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // no POSIX permissions on this file system
      }
      Files.writeString(temp, Hex.encode(key.seed()) + "\n", StandardCharsets.US_ASCII);
      try (var channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file);
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the node key " + file, e);
    }
  }
}
