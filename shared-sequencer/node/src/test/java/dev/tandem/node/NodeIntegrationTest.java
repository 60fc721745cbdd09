package dev.tandem.node;

import static dev.tandem.node.TestNodes.CHAIN;
import static dev.tandem.node.TestNodes.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceProof;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeIntegrationTest {
  private static final Namespace ROLLUP_A = Namespace.of(100);
  private static final Namespace ROLLUP_B = Namespace.of(200);
  private static final Duration FINALITY = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  private final KeyPair alice = KeyPair.generate(new Random(21));
  private final KeyPair bob = KeyPair.generate(new Random(22));

  private static Transaction sign(TandemClient client, KeyPair key, Namespace ns, long nonce, String payload) {
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    long fee = client.minimumFee(Transaction.OVERHEAD_BYTES + body.length);
    return Transaction.sign(CHAIN, ns, nonce, fee, body, key);
  }

  @Test
  void ordersVerifiesStreamsAndSurvivesRestart() throws Exception {
    List<Transaction> sent = new ArrayList<>();
    Transaction gapped;
    Map<Long, Hash> blockHashes = new HashMap<>();
    try (TandemNode node = TandemNode.start(TestNodes.config(dir));
         TestNodes.WsClient ws = new TestNodes.WsClient(node.wsUrl())) {
      TandemClient client = TandemClient.connect(node.rpcUrl());
      assertThat(client.chainId()).isEqualTo(CHAIN);
      assertThat(client.blockNumber()).isZero();

      ws.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tandem_subscribe\",\"params\":[\"newBlocks\"]}");
      String blocksSub = ws.next().get("result").asText();
      ws.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tandem_subscribe\",\"params\":[\"namespace\",\"0x64\"]}");
      String sliceSub = ws.next().get("result").asText();
      assertThat(blocksSub).isNotEqualTo(sliceSub);

      BlockingQueue<Block> inProcess = new LinkedBlockingQueue<>();
      node.blocks().subscribe(inProcess::add);

      for (int i = 0; i < 3; i++) {
        Transaction tx = sign(client, alice, ROLLUP_A, client.nextNonce(alice.publicKey()), "a" + i);
        assertThat(client.sendTransaction(tx)).isEqualTo(tx.id());
        sent.add(tx);
      }
      for (int i = 0; i < 2; i++) {
        Transaction tx = sign(client, bob, ROLLUP_B, i, "b" + i);
        client.sendTransaction(tx);
        sent.add(tx);
      }
      // Bob's nonce 3 before nonce 2: acknowledged, held pending until the gap fills.
      gapped = sign(client, bob, ROLLUP_A, 3, "b3");
      client.sendTransaction(gapped);

      for (Transaction tx : sent) {
        TxReceipt receipt = client.awaitFinal(tx.id(), FINALITY);
        assertThat(receipt.status()).isEqualTo(TxReceipt.Status.FINALIZED);
        assertThat(receipt.namespace()).isEqualTo(tx.namespace());
        JsonNode raw = client.call("tandem_getTransactionReceipt", tx.id().toHex());
        JsonNode inBlock = client.block(receipt.blockHeight(), false);
        assertThat(raw.get("blockHash").asText()).isEqualTo(inBlock.get("hash").asText());
        assertThat(inBlock.get("transactions").get((int) receipt.index()).asText()).isEqualTo(tx.id().toHex());
      }
      JsonNode gapReceipt = client.call("tandem_getTransactionReceipt", gapped.id().toHex());
      assertThat(gapReceipt.get("status").asText()).isEqualTo("pending");
      assertThat(gapReceipt.get("orderable").asBoolean()).isFalse();
      assertThat(client.nextNonce(bob.publicKey())).isEqualTo(2);

      long height = client.blockNumber();
      assertThat(height).isGreaterThanOrEqualTo(1);
      assertThat(node.finalizedHeight()).isEqualTo(height);
      int aliceTxsSeen = 0;
      for (long h = 1; h <= height; h++) {
        JsonNode block = client.block(h, true);
        blockHashes.put(h, Hash.fromHex(block.get("hash").asText()));
        assertThat(Hex.parseQuantity(block.get("height").asText())).isEqualTo(h);
        Block local = node.blocks().get(h).orElseThrow();
        assertThat(local.hash().toHex()).isEqualTo(block.get("hash").asText());
        assertThat(block.get("transactions")).hasSize(local.transactions().size());

        // Read the rollup's slice back and verify it against the header, as a rollup would.
        JsonNode slice = client.namespaceSlice(h, ROLLUP_A);
        BlockHeader header = BlockHeader.decode(Hex.decode(slice.get("headerRaw").asText()));
        assertThat(header.hash().toHex()).isEqualTo(block.get("hash").asText());
        List<Transaction> txs = new ArrayList<>();
        slice.get("transactions").forEach(t -> txs.add(Transaction.decode(Hex.decode(t.asText()))));
        NamespaceProof proof = NamespaceProof.decode(Hex.decode(slice.get("proof").asText()));
        assertThat(slice.get("proofJson").get("start").asInt()).isEqualTo(proof.start());
        assertThat(slice.get("proofJson").get("siblings")).hasSize(proof.siblings().size());
        assertThat(new NamespaceSlice(h, ROLLUP_A, txs, proof).verify(header).valid()).isTrue();
        // Dropping a transaction must break the proof: completeness is checked.
        if (!txs.isEmpty()) {
          assertThat(new NamespaceSlice(h, ROLLUP_A, txs.subList(1, txs.size()), proof).verify(header).valid())
              .isFalse();
        }
        aliceTxsSeen += txs.size();
      }
      assertThat(aliceTxsSeen).isEqualTo(3);

      // The WebSocket pushed every block and every namespace slice, in order.
      List<Long> pushedBlocks = new ArrayList<>();
      int pushedAliceTxs = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while ((pushedBlocks.size() < height || pushedAliceTxs < 3) && System.nanoTime() < deadline) {
        JsonNode note = ws.next();
        assertThat(note.get("method").asText()).isEqualTo("tandem_subscription");
        JsonNode params = note.get("params");
        if (params.get("subscription").asText().equals(blocksSub)) {
          pushedBlocks.add(Hex.parseQuantity(params.get("result").get("height").asText()));
        } else {
          assertThat(params.get("subscription").asText()).isEqualTo(sliceSub);
          assertThat(params.get("result").get("namespace").asText()).isEqualTo(ROLLUP_A.toHex());
          pushedAliceTxs += params.get("result").get("transactions").size();
        }
      }
      assertThat(pushedBlocks).isSorted().hasSize((int) height).startsWith(1L);
      assertThat(pushedAliceTxs).isEqualTo(3);
      assertThat(inProcess.poll(10, TimeUnit.SECONDS)).isNotNull();

      // A rejected transaction: a distinct error code, and the receipt says why.
      Transaction cheap = Transaction.sign(CHAIN, ROLLUP_A, 3, 1, new byte[8], alice);
      RpcException error = catchThrowableOfType(RpcException.class, () -> client.sendTransaction(cheap));
      assertThat(error.code()).isEqualTo(-32008);
      JsonNode rejected = client.call("tandem_getTransactionReceipt", cheap.id().toHex());
      assertThat(rejected.get("status").asText()).isEqualTo("rejected");
      assertThat(rejected.get("reason").asText()).contains("below the minimum");
      assertThat(client.call("tandem_getTransactionReceipt", Hash.ZERO.toHex()).isNull()).isTrue();
      assertThat(client.block(height + 100, false).isNull()).isTrue();

      // Unsubscribing stops the pushes for that subscription.
      ws.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tandem_unsubscribe\",\"params\":[\"" + sliceSub + "\"]}");
      JsonNode unsubscribed = ws.next();
      while (unsubscribed.has("method")) {
        unsubscribed = ws.next();
      }
      assertThat(unsubscribed.get("result").asBoolean()).isTrue();
    }

    // Restart on the same directory: every block and the held transaction are still there.
    try (TandemNode node = TandemNode.start(TestNodes.config(dir))) {
      TandemClient client = TandemClient.connect(node.rpcUrl());
      assertThat(client.blockNumber()).isEqualTo(blockHashes.size());
      for (Map.Entry<Long, Hash> entry : blockHashes.entrySet()) {
        assertThat(client.block(entry.getKey(), false).get("hash").asText()).isEqualTo(entry.getValue().toHex());
      }
      for (Transaction tx : sent) {
        assertThat(client.receipt(tx.id()).orElseThrow().status()).isEqualTo(TxReceipt.Status.FINALIZED);
      }
      assertThat(client.receipt(gapped.id()).orElseThrow().status()).isEqualTo(TxReceipt.Status.PENDING);
      Transaction fill = sign(client, bob, ROLLUP_B, 2, "b2");
      client.sendTransaction(fill);
      assertThat(client.awaitFinal(gapped.id(), FINALITY).status()).isEqualTo(TxReceipt.Status.FINALIZED);
      assertThat(client.receipt(fill.id()).orElseThrow().status()).isEqualTo(TxReceipt.Status.FINALIZED);
      await().atMost(FINALITY).until(() -> client.call("admin_pendingTransactions").isEmpty());
    }
  }
}
