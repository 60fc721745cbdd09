package dev.tandem.node;

import static dev.tandem.node.TestNodes.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests get JSON-RPC errors with the right codes, and the node keeps serving. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcErrorsTest {
  @TempDir
  static Path dir;
  private static TandemNode node;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() {
    node = TandemNode.start(TestNodes.config(dir));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.rpcUrl())).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(node.rpcUrl()).resolve(path)).timeout(Duration.ofSeconds(10))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int errorCode(String body) throws Exception {
    JsonNode response = JSON.readTree(post(body).body());
    assertThat(response.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(response.get("error").get("message").asText()).isNotBlank();
    return response.get("error").get("code").asInt();
  }

  private static String call(String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
  }

  @Test
  void malformedAndInvalidRequests() throws Exception {
    assertThat(errorCode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":")).isEqualTo(-32700);
    assertThat(errorCode("")).isEqualTo(-32700);
    assertThat(errorCode("[" + "[".repeat(500) + "]".repeat(500) + "]")).isEqualTo(-32700);
    assertThat(errorCode("[]")).isEqualTo(-32600);
    assertThat(errorCode("42")).isEqualTo(-32600);
    assertThat(errorCode("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"tandem_chainId\"}")).isEqualTo(-32600);
    assertThat(errorCode("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"tandem_chainId\"}")).isEqualTo(-32600);
    assertThat(errorCode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}")).isEqualTo(-32600);
    assertThat(errorCode(call("eth_chainId", "[]"))).isEqualTo(-32601);
    // This node enables admin methods (they are off by default; see KillNineTest).
    JsonNode info = JSON.readTree(post(call("admin_nodeInfo", "[]")).body()).get("result");
    assertThat(info.get("nodeKey").asText()).isEqualTo(node.nodeKey().toHex());
  }

  @Test
  void wrongParams() throws Exception {
    assertThat(errorCode(call("tandem_getBlockByHeight", "[]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_getBlockByHeight", "[\"0xzz\"]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_getBlockByHeight", "[\"0x1\", \"yes\"]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_getTransactionReceipt", "[\"0x1234\"]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_getNamespaceSlice", "[\"0x1\", \"rollup\"]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_getNonce", "[\"0x00\"]"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_chainId", "{\"a\":1}"))).isEqualTo(-32602);
    assertThat(errorCode(call("tandem_sendRawTransaction", "[5]"))).isEqualTo(-32602);
    // Subscriptions exist only on WebSocket connections.
    assertThat(errorCode(call("tandem_subscribe", "[\"newBlocks\"]"))).isEqualTo(-32020);
  }

  @Test
  void badTransactionsGetAdmissionCodes() throws Exception {
    assertThat(errorCode(call("tandem_sendRawTransaction", "[\"0xnothex\"]"))).isEqualTo(-32001);
    assertThat(errorCode(call("tandem_sendRawTransaction", "[\"0x0102\"]"))).isEqualTo(-32001);
    String huge = "0x" + "00".repeat(node.config().maxTxPayloadBytes() + 200);
    assertThat(errorCode(call("tandem_sendRawTransaction", "[\"" + huge + "\"]"))).isEqualTo(-32002);
  }

  @Test
  void oversizedBodyIsRefusedWithAJsonRpcError() throws Exception {
    String body = call("tandem_sendRawTransaction", "[\"0x" + "ab".repeat(node.config().maxRpcBodyBytes()) + "\"]");
    HttpResponse<String> response = post(body);
    assertThat(response.statusCode()).isEqualTo(413);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asInt()).isEqualTo(-32600);
    assertThat(error.get("message").asText()).contains("exceeds the limit");
    assertThat(TandemClient.connect(node.rpcUrl()).chainId()).isEqualTo(TestNodes.CHAIN);
  }

  @Test
  void batchesAndNotifications() throws Exception {
    String batch = "[" + call("tandem_chainId", "[]") + ",{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"nope\"},"
        + "{\"jsonrpc\":\"2.0\",\"method\":\"tandem_blockNumber\"}, 17]";
    JsonNode responses = JSON.readTree(post(batch).body());
    assertThat(responses).hasSize(3);
    assertThat(responses.get(0).get("result").asText()).isEqualTo("0x7a69");
    assertThat(responses.get(1).get("id").asText()).isEqualTo("x");
    assertThat(responses.get(1).get("error").get("code").asInt()).isEqualTo(-32601);
    assertThat(responses.get(2).get("error").get("code").asInt()).isEqualTo(-32600);
    HttpResponse<String> onlyNotification = post("{\"jsonrpc\":\"2.0\",\"method\":\"tandem_blockNumber\"}");
    assertThat(onlyNotification.statusCode()).isEqualTo(204);
  }

  @Test
  void aBatchOfTransactionsIsAnsweredPerCallInOrder() throws Exception {
    KeyPair sender = KeyPair.generate(new Random(5));
    long fee = 1_000_000;
    Transaction first = Transaction.sign(TestNodes.CHAIN, Namespace.of(9), 0, fee, new byte[] {1}, sender);
    Transaction second = Transaction.sign(TestNodes.CHAIN, Namespace.of(9), 1, fee, new byte[] {2}, sender);
    String batch = "[" + call("tandem_sendRawTransaction", "[\"" + Hex.encode(first.encode()) + "\"]") + ","
        + call("tandem_sendRawTransaction", "[\"0x0102\"]") + ","
        + call("tandem_sendRawTransaction", "[\"" + Hex.encode(second.encode()) + "\"]") + ","
        + call("tandem_sendRawTransaction", "[\"" + Hex.encode(first.encode()) + "\"]") + "]";
    JsonNode responses = JSON.readTree(post(batch).body());
    assertThat(responses).hasSize(4);
    assertThat(responses.get(0).get("result").asText()).isEqualTo(first.id().toHex());
    assertThat(responses.get(1).get("error").get("code").asInt()).isEqualTo(-32001);
    assertThat(responses.get(2).get("result").asText()).isEqualTo(second.id().toHex());
    assertThat(responses.get(3).get("error").get("data").get("reason").asText()).isEqualTo("duplicate");
    TandemClient client = TandemClient.connect(node.rpcUrl());
    await().atMost(Duration.ofSeconds(30)).until(() -> client.receipt(second.id()).isPresent()
        && client.receipt(first.id()).isPresent());
  }

  /**
   * The signatures of a batch's transactions are checked together ahead of the calls; each is still
   * verified once, and a forged one gets its own refusal without costing the others.
   */
  @Test
  void aBatchOfTransactionsIsVerifiedTogetherOnceEach() throws Exception {
    Random random = new Random(6);
    List<Transaction> good = new ArrayList<>();
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 5; i++) {
      Transaction tx = Transaction.sign(TestNodes.CHAIN, Namespace.of(9), 0, 1_000_000, new byte[] {(byte) i},
          KeyPair.generate(random));
      good.add(tx);
      batch.append(call("tandem_sendRawTransaction", "[\"" + Hex.encode(tx.encode()) + "\"]")).append(',');
    }
    byte[] forged = Transaction.sign(TestNodes.CHAIN, Namespace.of(9), 0, 1_000_000, new byte[] {9},
        KeyPair.generate(random)).encode();
    forged[forged.length - 1] ^= 1;
    batch.append(call("tandem_sendRawTransaction", "[\"" + Hex.encode(forged) + "\"]")).append(',')
        .append(call("tandem_sendRawTransaction", "{\"not\":\"positional\"}")).append(",7]");
    double before = verifications();
    JsonNode responses = JSON.readTree(post(batch.toString()).body());
    assertThat(responses).hasSize(8);
    for (int i = 0; i < 5; i++) {
      assertThat(responses.get(i).get("result").asText()).isEqualTo(good.get(i).id().toHex());
    }
    assertThat(responses.get(5).get("error").get("data").get("reason").asText()).isEqualTo("bad_signature");
    assertThat(responses.get(6).get("error").get("code").asInt()).isEqualTo(-32602);
    assertThat(responses.get(7).get("error").get("code").asInt()).isEqualTo(-32600);
    // six checked together, and none again by its call's admission: the forged one's verdict is kept
    assertThat(verifications() - before).isEqualTo(6);
  }

  private static double verifications() throws Exception {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith("tandem_tx_signature_verifications")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no tandem_tx_signature_verifications in /metrics");
  }

  @Test
  void healthAndMetrics() throws Exception {
    errorCode(call("tandem_sendRawTransaction", "[\"0x01\"]"));
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode status = JSON.readTree(health.body());
    assertThat(status.get("status").asText()).isEqualTo("ok");
    assertThat(status.has("finalizedHeight")).isTrue();
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("tandem_txs_rejected_total{reason=\"malformed\"}")
        .contains("tandem_mempool_size").contains("tandem_finalized_height")
        .contains("tandem_consensus_messages_dropped_total 0.0")
        .contains("tandem_rpc_requests_total{method=\"tandem_sendRawTransaction\",outcome=\"error\"}")
        .contains("tandem_block_commit_seconds");
    assertThat(get("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void webSocketErrorsKeepTheConnection() throws Exception {
    try (TestNodes.WsClient ws = new TestNodes.WsClient(node.wsUrl())) {
      ws.send("not json");
      assertThat(ws.next().get("error").get("code").asInt()).isEqualTo(-32700);
      ws.send(call("tandem_subscribe", "[\"everything\"]"));
      assertThat(ws.next().get("error").get("code").asInt()).isEqualTo(-32602);
      ws.send(call("tandem_unsubscribe", "[\"0x999\"]"));
      assertThat(ws.next().get("result").asBoolean()).isFalse();
      ws.send(call("tandem_blockNumber", "[]"));
      assertThat(ws.next().get("result").asText()).startsWith("0x");
    }
  }
}
