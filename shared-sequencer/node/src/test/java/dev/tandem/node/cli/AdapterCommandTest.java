package dev.tandem.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.node.consensus.ValidatorNetworkFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem adapter run}: the pipeline in its own process role, reading a real node over JSON-RPC. */
@Timeout(120)
class AdapterCommandTest {
  private static final Namespace ROLLUP = Namespace.of(100);

  @TempDir
  Path dir;

  /** A config with one generic adapter for namespace 100 posting to a local DA under {@code dir}. */
  private Path genericToLocalDa(int maxBlocks) throws Exception {
    Path config = dir.resolve("adapters.yaml");
    Files.writeString(config, """
        checkpointDir: state
        pollIntervalMillis: 50
        daLayers:
          local: {type: local, dir: da}
        rollups:
          - {namespace: 100, kind: generic, da: local, maxBlocks: %d}
        """.formatted(maxBlocks));
    return config;
  }

  @Test
  void runsTheConfiguredAdaptersOverJsonRpcAndResumesFromItsCheckpointDir() throws Exception {
    Path config = genericToLocalDa(2);
    KeyPair user = KeyPair.generate(new Random(5));
    List<byte[]> payloads = new ArrayList<>();
    try (TandemNode node = TandemNode.start(NodeConfig.defaults(dir.resolve("node")).withRpcPort(0))) {
      TandemClient client = TandemClient.connect(node.rpcUrl());
      long lastHeight = 0;
      for (int i = 0; i < 3; i++) {
        byte[] payload = ("tx " + i).getBytes(StandardCharsets.UTF_8);
        payloads.add(payload);
        Hash id = client.sendTransaction(Transaction.sign(1, ROLLUP, i, 100_000, payload, user));
        lastHeight = Math.max(lastHeight, client.awaitFinal(id, Duration.ofSeconds(30)).blockHeight());
      }
      long target = lastHeight;
      try (AdapterPipeline pipeline = AdapterCommand.start(AdapterCommand.load(config), URI.create(node.rpcUrl()),
          java.util.Optional.empty())) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(pipeline.status().get(0).deliveredHeight()).isGreaterThanOrEqualTo(target));
        assertThat(pipeline.status().get(0).lastError()).isEmpty();
      }
      assertThat(Files.isDirectory(dir.resolve("state/generic"))).as("checkpoints under checkpointDir").isTrue();
    }
    List<byte[]> posted = new ArrayList<>();
    try (LocalDa da = LocalDa.open(dir.resolve("da"))) {
      long next = 1;
      for (LocalDa.BlobInfo info : da.list(ROLLUP.id(), 0, 1000)) {
        GenericBatch batch = GenericBatch.decode(da.get(info.commitment()).orElseThrow());
        assertThat(batch.verify().valid()).isTrue();
        assertThat(batch.firstHeight()).isEqualTo(next);
        next = batch.lastHeight() + 1;
        batch.entries().forEach(e -> e.transactions().forEach(tx -> posted.add(tx.payload())));
      }
    }
    assertThat(posted).containsExactlyElementsOf(payloads);
  }

  /**
   * Over a BFT network the adapters check every block's finality proof (quorum certificates of the
   * validator set) and put the block's QC into the batches they post.
   */
  @Test
  void overConsensusEveryBatchCarriesVerifiedQuorumCertificates() throws Exception {
    Path config = genericToLocalDa(4);
    ValidatorNetworkFixture fixture = new ValidatorNetworkFixture(dir.resolve("validators"), 4, 61);
    TandemNode[] nodes = new TandemNode[4];
    KeyPair user = KeyPair.generate(new Random(6));
    ValidatorSet validators;
    try {
      for (int i = 0; i < 4; i++) {
        nodes[i] = TandemNode.start(NodeConfig.load(fixture.writeConfig(i, 200)));
      }
      TandemClient client = TandemClient.connect(nodes[2].rpcUrl());
      validators = VerifyCommand.validators(client.validators().toString());
      long lastHeight = 0;
      for (int i = 0; i < 3; i++) {
        Hash id = client.sendTransaction(Transaction.sign(ValidatorNetworkFixture.CHAIN, ROLLUP, i, 100_000,
            ("bft tx " + i).getBytes(StandardCharsets.UTF_8), user));
        lastHeight = Math.max(lastHeight, client.awaitFinal(id, Duration.ofSeconds(60)).blockHeight());
      }
      long target = lastHeight;
      try (AdapterPipeline pipeline = AdapterCommand.start(AdapterCommand.load(config), URI.create(nodes[2].rpcUrl()),
          java.util.Optional.of(validators))) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(pipeline.status().get(0).deliveredHeight()).isGreaterThanOrEqualTo(target));
      }
    } finally {
      for (TandemNode node : nodes) {
        if (node != null) {
          node.close();
        }
      }
    }
    int certified = 0;
    try (LocalDa da = LocalDa.open(dir.resolve("da"))) {
      for (LocalDa.BlobInfo info : da.list(ROLLUP.id(), 0, 1000)) {
        GenericBatch batch = GenericBatch.decode(da.get(info.commitment()).orElseThrow());
        assertThat(batch.verify().valid()).isTrue();
        for (GenericBatch.Entry entry : batch.entries()) {
          QuorumCertificate qc = QuorumCertificate.decode(entry.certificate());
          assertThat(qc.blockHash()).isEqualTo(entry.header().hash());
          assertThat(qc.verify(validators).valid()).isTrue();
          certified++;
        }
      }
    }
    assertThat(certified).isPositive();
  }

  @Test
  void aBadConfigStopsTheCommandWithTheFieldsPath() throws Exception {
    Path config = dir.resolve("adapters.yaml");
    Files.writeString(config, """
        checkpointDir: state
        rollups:
          - {namespace: 100, kind: generic, da: nowhere}
        """);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = dev.tandem.node.cli.TandemCli.run("adapter", "run", "--config", config.toString(), "--rpc",
          "http://127.0.0.1:1");
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("config field 'rollups[0].da' names DA layer 'nowhere', which is not in daLayers");
  }
}
