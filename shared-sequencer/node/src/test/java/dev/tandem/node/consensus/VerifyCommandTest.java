package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.node.cli.VerifyCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tandem verify} end to end: four validators as real nodes on loopback finalize a few
 * transactions; the verifier fetches header, finality proof, slice and validator set over JSON-RPC
 * from one node and says VALID; the saved files re-check offline; a forged QC signature, a
 * tampered slice file or a foreign validator set says INVALID. A node without consensus refuses to serve proofs.
 */
class VerifyCommandTest {
  private static final Namespace ROLLUP = Namespace.of(900);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path root;

  private final List<TandemNode> nodes = new ArrayList<>();
  private final KeyPair user = KeyPair.generate(new Random(78));
  private long nextNonce;

  @AfterEach
  void stopAll() {
    nodes.forEach(TandemNode::close);
  }

  /** Exit code, stdout and stderr of one run. */
  private record Run(int exit, String out, String err) {}

  private static Run verify(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new VerifyCommand()).setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true)).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Hash send(TandemClient client, String payload) {
    Transaction tx = Transaction.sign(ValidatorNetworkFixture.CHAIN, ROLLUP, nextNonce++, 100_000,
        payload.getBytes(StandardCharsets.UTF_8), user);
    return client.sendTransaction(tx);
  }

  /**
   * Sends three transactions and returns the height of the last one once that height is provably
   * final: a descendant's QC that commits it is stored, which takes a block or two more.
   */
  private long provableHeightWithTransactions(TandemNode node) {
    TandemClient client = TandemClient.connect(node.rpcUrl());
    List<Hash> sent = List.of(send(client, "a"), send(client, "b"), send(client, "c"));
    TxReceipt last = null;
    for (Hash id : sent) {
      last = client.awaitFinal(id, Duration.ofSeconds(60));
      assertThat(last.status()).isEqualTo(TxReceipt.Status.FINALIZED);
    }
    long height = last.blockHeight();
    await().atMost(Duration.ofSeconds(60)).until(() -> !client.finalityProof(height).isNull());
    return height;
  }

  @Test
  void verifiesAFinalizedSliceOnlineAndOfflineAndDetectsTampering() throws Exception {
    ValidatorNetworkFixture fixture = new ValidatorNetworkFixture(root, 4, 12);
    for (int i = 0; i < 4; i++) {
      nodes.add(TandemNode.start(NodeConfig.load(fixture.writeConfig(i, 200))));
    }
    long height = provableHeightWithTransactions(nodes.get(0));
    String rpc = nodes.get(1).rpcUrl();
    // The node reports the validator set it runs with.
    JsonNode reported = TandemClient.connect(rpc).validators();
    assertThat(reported.get("validators")).hasSize(4);
    assertThat(reported.get("totalStake").asLong()).isEqualTo(4);

    Path saved = root.resolve("evidence");
    Run online = verify("--rpc", rpc, "--height", Long.toString(height), "--namespace", "900", "--save", saved.toString());
    assertThat(online.exit()).as(online.err()).isEqualTo(0);
    assertThat(online.out()).startsWith("VALID: namespace " + ROLLUP.toHex() + " at height " + height);
    assertThat(online.err()).contains("warning: using the validator set reported by the node itself");

    // A trusted validator file written independently of any node: no warning.
    Path trusted = root.resolve("trusted.json");
    ObjectNode trustedJson = JSON.createObjectNode();
    ArrayNode members = trustedJson.putArray("validators");
    fixture.keys.forEach(k -> members.addObject().put("publicKey", k.publicKey().toHex()).put("stake", 1));
    Files.writeString(trusted, trustedJson.toString());
    Run withTrusted = verify("--rpc", rpc, "--height", "0x" + Long.toHexString(height), "--namespace", "900",
        "--validators", trusted.toString());
    assertThat(withTrusted.exit()).as(withTrusted.err()).isEqualTo(0);
    assertThat(withTrusted.err()).doesNotContain("warning");

    String[] offline = {"--header-file", saved.resolve("header.hex").toString(), "--proof-file",
        saved.resolve("proof.hex").toString(), "--slice-file", saved.resolve("slice.json").toString(),
        "--validators-file", saved.resolve("validators.json").toString()};
    Run offlineRun = verify(offline);
    assertThat(offlineRun.exit()).as(offlineRun.err()).isEqualTo(0);
    assertThat(offlineRun.out()).startsWith("VALID");

    // Forge one signature of the block QC (byte 5 of the first signature): the QC no longer verifies.
    String honestProof = Files.readString(saved.resolve("proof.hex")).strip();
    byte[] forged = Hex.decode(honestProof);
    int firstSignature = 8 + 8 + 8 + 32 + 8 + 4 + 32;
    forged[firstSignature + 5] ^= 1;
    Files.writeString(saved.resolve("proof.hex"), Hex.encode(forged));
    Run forgedRun = verify(offline);
    assertThat(forgedRun.exit()).isEqualTo(1);
    assertThat(forgedRun.out()).startsWith("INVALID: not final: block QC:").contains("does not verify");
    Files.writeString(saved.resolve("proof.hex"), honestProof);

    // Drop the slice's first transaction: the namespace proof no longer covers the slice.
    ObjectNode slice = (ObjectNode) JSON.readTree(saved.resolve("slice.json").toFile());
    assertThat(slice.get("transactions").size()).isPositive();
    ((ArrayNode) slice.get("transactions")).remove(0);
    Files.writeString(saved.resolve("slice.json"), slice.toString());
    Run tampered = verify(offline);
    assertThat(tampered.exit()).isEqualTo(1);
    assertThat(tampered.out()).startsWith("INVALID: slice:");

    // Honest evidence against someone else's validator set.
    Random random = new Random(5);
    ObjectNode strangers = JSON.createObjectNode();
    ArrayNode strangerList = strangers.putArray("validators");
    for (int i = 0; i < 4; i++) {
      strangerList.addObject().put("publicKey", KeyPair.generate(random).publicKey().toHex()).put("stake", 1);
    }
    Path strangerFile = root.resolve("strangers.json");
    Files.writeString(strangerFile, strangers.toString());
    Run foreign = verify("--rpc", rpc, "--height", Long.toString(height), "--namespace", "900",
        "--validators", strangerFile.toString());
    assertThat(foreign.exit()).isEqualTo(1);
    assertThat(foreign.out()).startsWith("INVALID: not final: block QC:").contains("not in the validator set");

    // The tip has no proof yet: a clear refusal, not a verdict.
    Run aboveTip = verify("--rpc", rpc, "--height", Long.toString(nodes.get(1).finalizedHeight() + 1000), "--namespace", "900");
    assertThat(aboveTip.exit()).isEqualTo(2);
    assertThat(aboveTip.err()).contains("has no finality proof for height");
  }

  @Test
  void badInvocationsAndUnreadableFilesAreInputErrors() throws Exception {
    Run mixed = verify("--rpc", "http://127.0.0.1:1", "--header-file", "h", "--proof-file", "p", "--slice-file", "s",
        "--validators-file", "v");
    assertThat(mixed.exit()).isEqualTo(2);
    assertThat(mixed.err()).contains("cannot be combined");

    Run partial = verify("--header-file", "h");
    assertThat(partial.exit()).isEqualTo(2);
    assertThat(partial.err()).contains("needs all of");

    Path garbage = root.resolve("garbage.hex");
    Files.writeString(garbage, "0x12zz");
    Run unreadable = verify("--header-file", garbage.toString(), "--proof-file", garbage.toString(),
        "--slice-file", garbage.toString(), "--validators-file", garbage.toString());
    assertThat(unreadable.exit()).isEqualTo(2);
    assertThat(unreadable.err()).contains("cannot read the header file");
  }

  @Test
  void aNodeWithoutConsensusRefusesProofsWithAClearError() throws Exception {
    Path dir = root.resolve("single");
    Files.createDirectories(dir);
    ObjectNode config = JSON.createObjectNode();
    config.put("chainId", 7).put("dataDir", dir.toString()).put("rpcPort", 0).put("lmdbMapSizeBytes", 64L << 20);
    Path file = dir.resolve("node.json");
    Files.writeString(file, config.toString());
    TandemNode single = TandemNode.start(NodeConfig.load(file));
    nodes.add(single);
    TandemClient client = TandemClient.connect(single.rpcUrl());
    assertThatThrownBy(() -> client.finalityProof(1)).isInstanceOf(RpcException.class)
        .hasMessageContaining("this node runs without consensus; no quorum certificates")
        .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(-32040));
    assertThatThrownBy(client::validators).isInstanceOf(RpcException.class)
        .hasMessageContaining("without consensus");
  }
}
