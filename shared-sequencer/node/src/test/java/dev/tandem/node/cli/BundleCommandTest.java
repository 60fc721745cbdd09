package dev.tandem.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.KeyPair;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem bundle send/status/cancel} against a real single-node sequencer. */
class BundleCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private record Run(int exitCode, String out) {}

  private static Run cli(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = TandemCli.run(args);
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void sendsABundleThatIsIncludedAndCancelsAPendingOne() throws Exception {
    ObjectNode tree = JSON.createObjectNode().put("chainId", 777).put("dataDir", dir.resolve("node").toString())
        .put("rpcPort", 0).put("blockIntervalMillis", 50).put("minFeePerByte", 2);
    Path configFile = dir.resolve("node.json");
    JSON.writeValue(configFile.toFile(), tree);
    try (TandemNode node = TandemNode.start(NodeConfig.load(configFile))) {
      Path signer = dir.resolve("signer.key");
      Path bob = dir.resolve("bob.key");
      KeyFiles.write(signer, KeyPair.generate(new Random(1)));
      KeyFiles.write(bob, KeyPair.generate(new Random(2)));

      Run sent = cli("bundle", "send", "--rpc", node.rpcUrl(), "--key", signer.toString(),
          "--leg", "10:0xa1a2", "--leg", "20:0xb1b2:" + bob, "--timeout", "30");
      assertThat(sent.exitCode()).as(sent.out()).isZero();
      String key = JSON.readTree(sent.out().lines().findFirst().orElseThrow()).get("bundleKey").asText();

      Run status = cli("bundle", "status", "--rpc", node.rpcUrl(), key);
      JsonNode json = JSON.readTree(status.out());
      assertThat(json.get("status").asText()).isEqualTo("included");
      assertThat(json.get("receipts")).hasSize(2);

      // Send without waiting, then cancel at once.
      Run pending = cli("bundle", "send", "--rpc", node.rpcUrl(), "--key", signer.toString(),
          "--leg", "10:0xc1", "--no-wait", "--replacement-id", "0x" + "ab".repeat(32), "--window-blocks", "1000");
      assertThat(pending.exitCode()).as(pending.out()).isZero();
      Run cancelled = cli("bundle", "cancel", "--rpc", node.rpcUrl(), "--key", signer.toString(),
          "--replacement-id", "0x" + "ab".repeat(32));
      // Cancelling races the next block: either the bundle was withdrawn or it was already included.
      String after = JSON.readTree(cancelled.out()).get("status").asText();
      assertThat(after).isIn("cancelled", "included");
      assertThat(cancelled.exitCode()).isEqualTo(after.equals("cancelled") ? 0 : 1);

      Run bad = cli("bundle", "send", "--rpc", node.rpcUrl(), "--key", signer.toString(), "--leg", "nonsense");
      assertThat(bad.exitCode()).isNotZero();
    }
  }
}
