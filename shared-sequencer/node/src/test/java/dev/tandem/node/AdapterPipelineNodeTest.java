package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.client.BundleView;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import dev.tandem.testsupport.AnvilProcess;
import dev.tandem.testsupport.evm.TokenContract;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;

/**
 * A node whose config has an {@code adapters} section: one namespace batched to the local DA, one
 * EVM rollup (a real anvil with a token) delivered directly and pre-checked for bundles.
 */
@Timeout(180)
class AdapterPipelineNodeTest {
  private static final long EVM_CHAIN = 31_300;
  private static final Namespace GENERIC = Namespace.of(100);
  private static final Namespace EVM = Namespace.of(EVM_CHAIN);
  private static final long FEE = 100_000;
  private static final String ALICE_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
  private static final String BOB_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(1);
  private static final String BOB = Credentials.create(BOB_KEY).getAddress();
  private static final String CAROL = Credentials.create(AnvilProcess.DEV_PRIVATE_KEYS.get(2)).getAddress();

  @TempDir
  Path dir;

  private final KeyPair user = KeyPair.generate(new Random(21));
  private AnvilProcess anvil;
  private TokenContract token;
  private TandemNode node;
  private long nonce;

  @BeforeEach
  void start() {
    anvil = AnvilProcess.start(EVM_CHAIN);
    token = TokenContract.deploy(anvil.rpcUrl(), ALICE_KEY, EVM_CHAIN);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    if (token != null) {
      token.close();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  private NodeConfig config() throws Exception {
    ObjectNode tree = (ObjectNode) TestNodes.JSON.readTree("""
        {"chainId": %d, "dataDir": "node", "rpcPort": 0, "blockIntervalMillis": 50, "minFeePerByte": 1,
         "lmdbMapSizeBytes": 268435456,
         "adapters": {
           "pollIntervalMillis": 100,
           "daLayers": {"local": {"type": "local", "dir": "da"}},
           "rollups": [
             {"namespace": 100, "kind": "generic", "da": "local", "maxBlocks": 4},
             {"namespace": %d, "kind": "evm", "rpcUrl": "%s", "chainId": %d, "simulate": true}
           ]}}
        """.formatted(TestNodes.CHAIN, EVM_CHAIN, anvil.rpcUrl(), EVM_CHAIN));
    return NodeConfig.fromTree(tree, dir);
  }

  private Hash send(TandemClient client, Namespace namespace, byte[] payload) {
    return client.sendTransaction(Transaction.sign(TestNodes.CHAIN, namespace, nonce++, FEE, payload, user));
  }

  private byte[] transfer(String key, long evmNonce, String to, long amount) {
    return token.signedTransfer(key, EVM_CHAIN, evmNonce, to, BigInteger.valueOf(amount), TokenContract.TRANSFER_GAS,
        TokenContract.Fees.defaults());
  }

  @Test
  void batchesReachTheLocalDaAndTransactionsExecuteOnTheRollupInLogOrder() throws Exception {
    node = TandemNode.start(config());
    TandemClient client = TandemClient.connect(node.rpcUrl());
    long alice = token.pendingNonce(Credentials.create(ALICE_KEY).getAddress());
    // Bob spends what Alice sends him: it executes only if delivered after her transfer.
    List<byte[]> evmPayloads = List.of(transfer(ALICE_KEY, alice, BOB, 100), transfer(BOB_KEY, 0, CAROL, 60),
        transfer(ALICE_KEY, alice + 1, CAROL, 5));
    List<byte[]> genericPayloads = new ArrayList<>();
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < evmPayloads.size(); i++) {
      byte[] generic = ("rollup 100 tx " + i).getBytes(StandardCharsets.UTF_8);
      genericPayloads.add(generic);
      ids.add(send(client, GENERIC, generic));
      ids.add(send(client, EVM, evmPayloads.get(i)));
    }
    for (Hash id : ids) {
      client.awaitFinal(id, Duration.ofSeconds(30));
    }
    awaitDelivered(client, ids);
    assertThat(node.adapterStatus().orElseThrow()).extracting(AdapterPipeline.Status::lastError)
        .containsOnly(java.util.Optional.empty());
    // Operators see each adapter's progress on /metrics.
    String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(node.rpcUrl() + "metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
    assertThat(metrics).contains("tandem_adapter_delivered_height{kind=\"evm\"")
        .contains("tandem_adapter_consecutive_failures{kind=\"generic\"");

    assertThat(token.balanceOf(BOB)).isEqualTo(BigInteger.valueOf(40));
    assertThat(token.balanceOf(CAROL)).isEqualTo(BigInteger.valueOf(65));
    // Executed on the rollup in the order of the log.
    List<TxReceipt> logOrder = new ArrayList<>();
    for (int i = 1; i < ids.size(); i += 2) {
      logOrder.add(client.receipt(ids.get(i)).orElseThrow());
    }
    logOrder.sort(Comparator.comparingLong(TxReceipt::blockHeight).thenComparingLong(TxReceipt::index));
    Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
    try {
      long previous = -1;
      for (TxReceipt receipt : logOrder) {
        byte[] raw = node.blocks().get(receipt.blockHeight()).orElseThrow().transactions()
            .get((int) receipt.index()).payload();
        TransactionReceipt executed = web3j.ethGetTransactionReceipt(
            dev.tandem.adapters.evm.EvmDirectDelivery.hashOf(raw)).send().getTransactionReceipt().orElseThrow();
        assertThat(executed.isStatusOK()).isTrue();
        long position = executed.getBlockNumber().longValueExact() * 10_000 + executed.getTransactionIndex().longValueExact();
        assertThat(position).as("rollup execution follows log order").isGreaterThan(previous);
        previous = position;
      }
    } finally {
      web3j.shutdown();
    }

    // A bundle whose EVM leg would revert on the rollup is kept out by the configured pre-check.
    long height = client.blockNumber();
    KeyPair signer = KeyPair.generate(new Random(22));
    KeyPair other = KeyPair.generate(new Random(23));
    Bundle bundle = BundleBuilder.create(TestNodes.CHAIN, signer, new Random(24))
        .window(BundleWindow.heights(height + 1, height + 3)).manifestFee(FEE)
        .addLeg(GENERIC, new byte[] {1}, other, 0, FEE)
        .addLeg(EVM, transfer(BOB_KEY, 1, CAROL, 1_000_000), KeyPair.generate(new Random(25)), 0, FEE).build();
    client.sendBundle(bundle);
    BundleView last = client.bundleStatus(bundle.key()).orElseThrow();
    for (int i = 0; i < 40 && !last.isFinal(); i++) {
      client.awaitFinal(send(client, Namespace.of(7), new byte[] {(byte) i}), Duration.ofSeconds(30));
      last = client.bundleStatus(bundle.key()).orElseThrow();
    }
    assertThat(last.status()).isEqualTo("expired");
    assertThat(last.reason()).contains("would revert");

    node.close();
    List<byte[]> posted = postedBatches();
    assertThat(transactionsOf(posted)).containsExactlyElementsOf(genericPayloads);

    // A restart resumes from the checkpoints: the earlier batches are not posted again, the next one follows.
    node = TandemNode.start(config());
    client = TandemClient.connect(node.rpcUrl());
    byte[] afterRestart = "after the restart".getBytes(StandardCharsets.UTF_8);
    Hash id = send(client, GENERIC, afterRestart);
    client.awaitFinal(id, Duration.ofSeconds(30));
    awaitDelivered(client, List.of(id));
    node.close();
    node = null;
    List<byte[]> afterwards = postedBatches();
    assertThat(afterwards).hasSize(posted.size() + 1);
    genericPayloads.add(afterRestart);
    assertThat(transactionsOf(afterwards)).containsExactlyElementsOf(genericPayloads);
  }

  /** Waits until each transaction's namespace adapter has delivered past the transaction's height. */
  private void awaitDelivered(TandemClient client, List<Hash> ids) {
    java.util.Map<Namespace, Long> heights = new java.util.HashMap<>();
    for (Hash id : ids) {
      TxReceipt receipt = client.receipt(id).orElseThrow();
      heights.merge(receipt.namespace(), receipt.blockHeight(), Math::max);
    }
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(node.adapterStatus().orElseThrow())
        .allSatisfy(status -> assertThat(status.deliveredHeight())
            .isGreaterThanOrEqualTo(heights.getOrDefault(status.namespace(), 0L))));
  }

  private List<byte[]> postedBatches() {
    try (LocalDa da = LocalDa.open(dir.resolve("da"))) {
      List<byte[]> batches = new ArrayList<>();
      for (LocalDa.BlobInfo info : da.list(GENERIC.id(), 0, 10_000)) {
        batches.add(da.get(info.commitment()).orElseThrow());
      }
      return batches;
    }
  }

  private static List<byte[]> transactionsOf(List<byte[]> batches) {
    List<byte[]> payloads = new ArrayList<>();
    long next = 1;
    for (byte[] encoded : batches) {
      GenericBatch batch = GenericBatch.decode(encoded);
      assertThat(batch.verify().valid()).as(batch.verify().reason()).isTrue();
      assertThat(batch.firstHeight()).as("batches are contiguous").isEqualTo(next);
      next = batch.lastHeight() + 1;
      batch.entries().forEach(e -> e.transactions().forEach(tx -> payloads.add(tx.payload())));
    }
    return payloads;
  }
}
