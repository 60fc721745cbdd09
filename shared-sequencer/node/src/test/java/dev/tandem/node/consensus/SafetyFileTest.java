package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.bft.ConsensusCore;
import dev.tandem.bft.SafetyState;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safety state survives restarts and torn writes, and damage is refused rather than forgotten. */
class SafetyFileTest {
  @TempDir
  Path dir;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] reopenAndRead() {
    try (SafetyFile file = SafetyFile.open(dir)) {
      return file.read().orElse(null);
    }
  }

  @Test
  void readsNothingBeforeTheFirstWriteAndTheLastWriteAfterARestart() {
    try (SafetyFile file = SafetyFile.open(dir)) {
      assertThat(file.read()).isEmpty();
      file.write(bytes("view 1"));
      file.write(bytes("view 2, a longer state"));
      file.write(bytes("view 3"));
    }
    assertThat(reopenAndRead()).isEqualTo(bytes("view 3"));
    // Writing goes on after the restart without reusing the sequence of the newest record.
    try (SafetyFile file = SafetyFile.open(dir)) {
      file.read();
      file.write(bytes("view 4"));
    }
    assertThat(reopenAndRead()).isEqualTo(bytes("view 4"));
  }

  @Test
  void aTornNewestRecordFallsBackToThePreviousOne() throws IOException {
    try (SafetyFile file = SafetyFile.open(dir)) {
      file.write(bytes("view 1")); // slot 1
      file.write(bytes("view 2")); // slot 0
    }
    // A crash in the middle of writing view 3 into slot 1: a new header, half of the payload.
    try (RandomAccessFile slot = new RandomAccessFile(dir.resolve("safety-1.bin").toFile(), "rw")) {
      slot.seek(4);
      slot.writeLong(3);
      slot.seek(SafetyFile.HEADER_BYTES);
      slot.write(bytes("vi"));
    }
    assertThat(reopenAndRead()).isEqualTo(bytes("view 2"));
  }

  @Test
  void aFlippedBitOrATruncationInvalidatesOnlyThatRecord() throws IOException {
    try (SafetyFile file = SafetyFile.open(dir)) {
      file.write(bytes("view 1"));
      file.write(bytes("view 2"));
    }
    byte[] slot0 = Files.readAllBytes(dir.resolve("safety-0.bin"));
    slot0[SafetyFile.HEADER_BYTES] ^= 1;
    Files.write(dir.resolve("safety-0.bin"), slot0);
    assertThat(reopenAndRead()).isEqualTo(bytes("view 1"));

    try (RandomAccessFile slot = new RandomAccessFile(dir.resolve("safety-1.bin").toFile(), "rw")) {
      slot.setLength(SafetyFile.HEADER_BYTES + 2);
    }
    assertThatThrownBy(this::reopenAndRead).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no valid record").hasMessageContaining("vote twice");
  }

  @Test
  void aHugeLengthFieldIsRefusedWithoutReadingIt() throws IOException {
    ByteBuffer header = ByteBuffer.allocate(SafetyFile.HEADER_BYTES)
        .putInt(SafetyFile.MAGIC).putLong(1).putInt(Integer.MAX_VALUE).putInt(0);
    Files.write(dir.resolve("safety-0.bin"), header.array());
    assertThatThrownBy(this::reopenAndRead).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theConsensusStoreReadsAStateKeptInLmdbBeforeTheSafetyFileExisted() {
    SafetyState legacy = new SafetyState(41, ConsensusCore.genesis(5).qc(), List.of());
    LegacyConsensusEntries.write(dir, 's', 0, legacy.encode());
    SafetyState next = new SafetyState(42, legacy.highQc(), List.of());
    try (ConsensusStore store = ConsensusStore.open(dir)) {
      assertThat(store.safety()).hasValue(legacy);
      store.saveSafety(next);
    }
    try (ConsensusStore store = ConsensusStore.open(dir)) {
      assertThat(store.safety()).hasValue(next);
    }
  }
}
