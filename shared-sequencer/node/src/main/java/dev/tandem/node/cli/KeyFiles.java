package dev.tandem.node.cli;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Key files: one line, the 32-byte Ed25519 private seed in 0x-hex, readable by the owner only. */
final class KeyFiles {
  private KeyFiles() {}

  static void write(Path file, KeyPair key) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file + " exists; refusing to overwrite a key");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, Hex.encode(key.seed()) + "\n", StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the file system has no POSIX permissions; nothing more to restrict
    }
  }

  static KeyPair read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      return KeyPair.fromSeed(Hex.decode(text, KeyPair.SEED_LENGTH));
    } catch (DecodingException e) {
      throw new IOException(file + " is not a Tandem key file (one line of 0x-hex, 32 bytes): " + e.getMessage());
    }
  }
}
