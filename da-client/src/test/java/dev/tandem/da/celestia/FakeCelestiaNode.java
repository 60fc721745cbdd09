package dev.tandem.da.celestia;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for celestia-node (none is reachable from the test machines) on a real loopback HTTP
 * socket, speaking the JSON-RPC shapes celestia-node publishes in its OpenRPC spec
 * (https://node-rpc-docs.celestia.org, generated from github.com/celestiaorg/celestia-node):
 * <ul>
 *   <li>{@code blob.Submit(blobs []Blob, options TxConfig) -> uint64 height} (nodebuilder/blob/blob.go);
 *   <li>{@code blob.Get(height uint64, namespace, commitment) -> Blob}, {@code "blob: not found"} when absent
 *       (blob/service.go ErrBlobNotFound);
 *   <li>{@code blob.GetAll(height uint64, namespaces []Namespace) -> []Blob}, JSON null when there are none;
 *   <li>{@code header.LocalHead() -> ExtendedHeader} with {@code header.height} as a decimal string;
 *   <li>Blob JSON {@code {namespace, data, share_version, commitment, index}}, byte fields base64
 *       (blob/blob.go jsonBlob); TxConfig JSON {@code gas_price, is_gas_price_set, max_gas_price, gas,
 *       tx_priority, key_name, signer_address, fee_granter_address} (state/txclient/tx_config.go);
 *   <li>{@code Authorization: Bearer <token>}, HTTP 401 without a valid one.
 * </ul>
 * The commitment here is a SHA-256 stand-in, not Celestia's share commitment: the client under test
 * never computes commitments, it reads them back. Requests that stray from these shapes get a
 * JSON-RPC error, so a client bug fails the test.
 */
final class FakeCelestiaNode implements AutoCloseable {
  static final String TOKEN = "write-token-for-tests";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TX_CONFIG_FIELDS = Set.of("gas_price", "is_gas_price_set", "max_gas_price", "gas",
      "tx_priority", "key_name", "signer_address", "fee_granter_address");

  /** A scripted misbehaviour for the next call of one method. */
  record Trouble(int status, String rawBody, boolean processFirst, Duration delay) {
    static Trouble status(int status) {
      return new Trouble(status, null, false, Duration.ZERO);
    }

    /** {@code rawBody} may contain {@code {id}}, replaced with the request's id. */
    static Trouble body(String rawBody) {
      return new Trouble(200, rawBody, false, Duration.ZERO);
    }

    /** Processes the call, then answers only after {@code delay}: a lost answer for a client with a shorter timeout. */
    static Trouble processThenStall(Duration delay) {
      return new Trouble(200, null, true, delay);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Deque<Trouble>> troubles = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final List<JsonNode> submitOptions = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final Map<Long, List<ObjectNode>> blobsByHeight = new HashMap<>();
  private final AtomicInteger submitted = new AtomicInteger();
  private long height = 100;
  volatile double networkMinGasPrice = 0.002;
  volatile double estimatedGasPrice = 0.004;

  FakeCelestiaNode() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  void script(String method, Trouble trouble) {
    troubles.computeIfAbsent(method, m -> new ConcurrentLinkedDeque<>()).add(trouble);
  }

  /** Requests that reached the handler for {@code method}, including refused and scripted ones. */
  int calls(String method) {
    return calls.getOrDefault(method, new AtomicInteger()).get();
  }

  /** Blobs actually posted (successful blob.Submit calls). */
  int submitted() {
    return submitted.get();
  }

  List<JsonNode> submitOptions() {
    return List.copyOf(submitOptions);
  }

  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  synchronized void mine(int blocks) {
    height += blocks;
  }

  synchronized long height() {
    return height;
  }

  /** Replaces the data of the blobs stored at {@code atHeight}, as a corrupted node would serve them. */
  synchronized void tamper(long atHeight, byte[] data) {
    for (ObjectNode blob : blobsByHeight.getOrDefault(atHeight, List.of())) {
      blob.put("data", Base64.getEncoder().encodeToString(data));
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
      String method = request.path("method").asText();
      calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(String.valueOf(auth));
      if (!("Bearer " + TOKEN).equals(auth)) {
        send(exchange, 401, "Unauthorized");
        return;
      }
      Trouble trouble = troubles.getOrDefault(method, new ConcurrentLinkedDeque<>()).poll();
      if (trouble != null && !trouble.processFirst()) {
        send(exchange, trouble.status(), trouble.rawBody() == null ? "scripted failure"
            : trouble.rawBody().replace("{id}", request.path("id").toString()));
        return;
      }
      ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
      response.set("id", request.get("id"));
      try {
        if (!"2.0".equals(request.path("jsonrpc").asText()) || !request.path("id").isIntegralNumber()
            || !request.path("params").isArray()) {
          throw new RpcError("fake: not a JSON-RPC 2.0 request with an integer id and positional params");
        }
        response.set("result", dispatch(method, (ArrayNode) request.get("params")));
      } catch (RpcError e) {
        response.putObject("error").put("code", 1).put("message", e.getMessage());
      }
      if (trouble != null) {
        sleep(trouble.delay());
      }
      send(exchange, 200, response.toString());
    }
  }

  private JsonNode dispatch(String method, ArrayNode params) throws RpcError {
    return switch (method) {
      case "blob.Submit" -> submit(params);
      case "blob.GetAll" -> getAll(params);
      case "blob.Get" -> get(params);
      case "header.LocalHead" -> localHead(params);
      default -> throw new RpcError("method '" + method + "' not found");
    };
  }

  private synchronized JsonNode submit(ArrayNode params) throws RpcError {
    expectParams(params, 2);
    if (!params.get(0).isArray() || params.get(0).isEmpty() || !params.get(1).isObject()) {
      throw new RpcError("fake: blob.Submit takes [[blob, ...], txConfig]");
    }
    JsonNode options = params.get(1);
    submitOptions.add(options);
    for (var names = options.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!TX_CONFIG_FIELDS.contains(name)) {
        throw new RpcError("fake: TxConfig has no field " + name);
      }
    }
    double max = options.path("max_gas_price").asDouble(0);
    if (options.path("is_gas_price_set").asBoolean(false)) {
      double price = options.path("gas_price").asDouble(-1);
      if (price > max) {
        throw new RpcError("fake: gas_price above max_gas_price");
      }
      if (price < networkMinGasPrice) {
        throw new RpcError("broadcasting tx: insufficient fees; got: " + price + "utia required: " + networkMinGasPrice
            + "utia: insufficient fee");
      }
    } else if (estimatedGasPrice > max) {
      throw new RpcError("state: estimated gas price exceeds max gas price in tx config");
    }
    List<ObjectNode> stored = new ArrayList<>();
    for (JsonNode blob : params.get(0)) {
      byte[] namespace = base64(blob, "namespace");
      byte[] data = base64(blob, "data");
      if (namespace.length != 29 || namespace[0] != 0 || data.length == 0 || blob.path("share_version").asInt(-1) != 0) {
        throw new RpcError("fake: invalid blob " + blob);
      }
      ObjectNode kept = JSON.createObjectNode()
          .put("namespace", blob.get("namespace").asText())
          .put("data", blob.get("data").asText())
          .put("share_version", 0)
          .put("commitment", Base64.getEncoder().encodeToString(standInCommitment(namespace, data)))
          .put("index", 64 + stored.size());
      stored.add(kept);
    }
    height++;
    blobsByHeight.put(height, stored);
    submitted.incrementAndGet();
    return JSON.getNodeFactory().numberNode(height);
  }

  private synchronized JsonNode getAll(ArrayNode params) throws RpcError {
    expectParams(params, 2);
    long at = requireHeight(params.get(0));
    if (!params.get(1).isArray()) {
      throw new RpcError("fake: blob.GetAll takes [height, [namespace, ...]]");
    }
    ArrayNode found = JSON.createArrayNode();
    for (JsonNode namespace : params.get(1)) {
      for (ObjectNode blob : blobsByHeight.getOrDefault(at, List.of())) {
        if (blob.get("namespace").asText().equals(namespace.asText())) {
          found.add(blob.deepCopy());
        }
      }
    }
    return found.isEmpty() ? JSON.nullNode() : found;
  }

  private synchronized JsonNode get(ArrayNode params) throws RpcError {
    expectParams(params, 3);
    long at = requireHeight(params.get(0));
    for (ObjectNode blob : blobsByHeight.getOrDefault(at, List.of())) {
      if (blob.get("namespace").asText().equals(params.get(1).asText())
          && blob.get("commitment").asText().equals(params.get(2).asText())) {
        return blob.deepCopy();
      }
    }
    throw new RpcError("blob: not found");
  }

  private synchronized JsonNode localHead(ArrayNode params) throws RpcError {
    expectParams(params, 0);
    ObjectNode head = JSON.createObjectNode();
    head.putObject("header").put("chain_id", "fake-celestia").put("height", Long.toString(height));
    head.putObject("dah").putArray("row_roots");
    return head;
  }

  private long requireHeight(JsonNode node) throws RpcError {
    if (!node.isIntegralNumber() || node.asLong() < 1) {
      throw new RpcError("fake: height must be a positive integer, got " + node);
    }
    if (node.asLong() > height) {
      throw new RpcError("header: given height is from the future: networkHeight: " + height + ", requestedHeight: "
          + node.asLong());
    }
    return node.asLong();
  }

  private static void expectParams(ArrayNode params, int count) throws RpcError {
    if (params.size() != count) {
      throw new RpcError("fake: expected " + count + " params, got " + params.size());
    }
  }

  private static byte[] base64(JsonNode blob, String field) throws RpcError {
    try {
      return Base64.getDecoder().decode(blob.path(field).asText());
    } catch (IllegalArgumentException e) {
      throw new RpcError("fake: " + field + " is not base64");
    }
  }

  static byte[] standInCommitment(byte[] namespace, byte[] data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("fake-share-commitment".getBytes(StandardCharsets.US_ASCII));
      sha.update(namespace);
      return sha.digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class RpcError extends Exception {
    RpcError(String message) {
      super(message);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
