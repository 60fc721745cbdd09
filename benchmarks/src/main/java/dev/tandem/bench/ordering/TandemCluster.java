package dev.tandem.bench.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.p2p.PeerId;
import dev.tandem.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tandem validators in this JVM, each a full {@link TandemNode} (LMDB store, libp2p on loopback,
 * BFT consensus, JSON-RPC), used the way a client uses the network: every payload becomes a signed
 * transaction sent with {@code tandem_sendRawTransaction} over HTTP to one of the nodes (senders
 * spread over the nodes), and commits are seen through a WebSocket {@code tandem_subscribe(["newBlocks"])}
 * on node 0. A payload is committed when the block holding it is finalized on node 0.
 *
 * <p>Client work shares the machine: signing (Bouncy Castle, about 20 µs) happens in {@link #submit}.
 */
public final class TandemCluster implements OrderingCluster {
  private static final long CHAIN = 7_777;
  private static final int SENDERS = 256;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<TandemNode> nodes = new ArrayList<>();
  private final List<URI> rpc = new ArrayList<>();
  private final List<KeyPair> senders = new ArrayList<>();
  private final long[] nextNonce = new long[SENDERS];
  private final Map<Hash, Waiting> pending = new ConcurrentHashMap<>();
  private final AtomicLong nextSender = new AtomicLong();
  private final AtomicLong requestId = new AtomicLong();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private WebSocket blocks;
  private Path dir;

  /** A submitted transaction not yet seen in a finalized block. */
  private record Waiting(CompletableFuture<Commit> commit, int sender, long nonce) {}

  @Override
  public String name() {
    return "tandem";
  }

  @Override
  public void start(int count) throws Exception {
    dir = Files.createTempDirectory("tandem-bench-bft-");
    Random random = new Random(4242);
    List<KeyPair> keys = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      KeyPair key = KeyPair.generate(random);
      Path nodeDir = Files.createDirectories(dir.resolve("node-" + i));
      // The node reads its key from node-key.hex; writing it first lets us name the validators.
      Files.writeString(nodeDir.resolve("node-key.hex"), Hex.encode(key.seed()) + "\n");
      keys.add(key);
      ports.add(FreePorts.next());
    }
    for (int i = 0; i < count; i++) {
      TandemNode node = TandemNode.start(config(i, keys, ports));
      nodes.add(node);
      rpc.add(URI.create(node.rpcUrl()));
    }
    for (int s = 0; s < SENDERS; s++) {
      senders.add(KeyPair.generate(random));
    }
    blocks = http.newWebSocketBuilder().buildAsync(URI.create(nodes.get(0).wsUrl()), new BlockListener())
        .get(30, TimeUnit.SECONDS);
    blocks.sendText(request("tandem_subscribe", JSON.createArrayNode().add("newBlocks")), true)
        .get(30, TimeUnit.SECONDS);
    // The first transaction waits for the validators to connect and form the gossip mesh.
    submit(new byte[] {1}).get(120, TimeUnit.SECONDS);
  }

  private NodeConfig config(int index, List<KeyPair> keys, List<Integer> ports) throws IOException {
    Path nodeDir = dir.resolve("node-" + index);
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", CHAIN);
    tree.put("dataDir", nodeDir.toString());
    tree.put("rpcPort", 0);
    tree.put("lmdbMapSizeBytes", 1L << 30);
    tree.put("p2pListen", "/ip4/127.0.0.1/tcp/" + ports.get(index));
    ArrayNode peers = tree.putArray("bootstrapPeers");
    for (int j = 0; j < keys.size(); j++) {
      if (j != index) {
        peers.add("/ip4/127.0.0.1/tcp/" + ports.get(j) + "/p2p/"
            + PeerId.fromEd25519PublicKey(keys.get(j).publicKey().toBytes()));
      }
    }
    ArrayNode validators = tree.putObject("consensus").putArray("validators");
    for (KeyPair key : keys) {
      validators.addObject().put("publicKey", key.publicKey().toHex()).put("stake", 1);
    }
    Path file = nodeDir.resolve("node.json");
    Files.writeString(file, JSON.writeValueAsString(tree));
    return NodeConfig.load(file);
  }

  private String request(String method, ArrayNode params) {
    ObjectNode call = JSON.createObjectNode();
    call.put("jsonrpc", "2.0");
    call.put("id", requestId.incrementAndGet());
    call.put("method", method);
    call.set("params", params);
    return call.toString();
  }

  @Override
  public CompletableFuture<Commit> submit(byte[] payload) {
    int s = (int) (nextSender.getAndIncrement() % SENDERS);
    long nonce;
    synchronized (nextNonce) {
      nonce = nextNonce[s]++;
    }
    Transaction tx = Transaction.sign(CHAIN, Namespace.of(1 + s % 8), nonce, 1_000_000, payload, senders.get(s));
    CompletableFuture<Commit> commit = new CompletableFuture<>();
    pending.put(tx.id(), new Waiting(commit, s, nonce));
    // A sender always uses the same node, so its nonces meet in one mempool even when they overtake each other.
    URI node = rpc.get(s % rpc.size());
    HttpRequest post = HttpRequest.newBuilder(node)
        .version(HttpClient.Version.HTTP_1_1)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            request("tandem_sendRawTransaction", JSON.createArrayNode().add(Hex.encode(tx.encode())))))
        .build();
    http.sendAsync(post, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      String refusal = error != null ? String.valueOf(error) : refusal(response);
      if (refusal != null && pending.remove(tx.id()) != null) {
        // Later nonces of this sender now wait for a gap that never fills; they show up as lost.
        commit.completeExceptionally(new IllegalStateException("sendRawTransaction: " + refusal));
      }
    });
    return commit;
  }

  /** The JSON-RPC error of a response, or null when it carries a result. */
  private static String refusal(HttpResponse<String> response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      JsonNode error = body.get("error");
      if (error != null && !error.isNull()) {
        return error.toString();
      }
      return body.has("result") ? null : "HTTP " + response.statusCode() + " without result";
    } catch (IOException e) {
      return "HTTP " + response.statusCode() + " with a body that is not JSON";
    }
  }

  /** Completes the futures of the transactions in each finalized block. */
  private void onBlock(JsonNode block) {
    long height = Hex.parseQuantity(block.path("height").asText());
    JsonNode txs = block.get("transactions");
    if (txs == null || !txs.isArray()) {
      txs = fetchBlock(height).path("transactions");
    }
    for (JsonNode tx : txs) {
      String id = tx.isTextual() ? tx.asText() : tx.path("hash").asText();
      Waiting waiting = pending.remove(Hash.fromHex(id));
      if (waiting != null) {
        waiting.commit().complete(new Commit(height));
      }
    }
  }

  @Override
  public String describeBacklog() {
    StringBuilder out = new StringBuilder().append(pending.size()).append(" uncommitted; finalized heights");
    nodes.forEach(n -> out.append(' ').append(n.finalizedHeight()));
    pending.entrySet().stream().limit(3).forEach(e -> {
      URI node = rpc.get(e.getValue().sender() % rpc.size());
      out.append("\n  sender ").append(e.getValue().sender()).append(" nonce ").append(e.getValue().nonce())
          .append(": receipt ").append(call(node, "tandem_getTransactionReceipt",
              JSON.createArrayNode().add(e.getKey().toHex())));
    });
    return out.toString();
  }

  private JsonNode fetchBlock(long height) {
    return call(rpc.get(0), "tandem_getBlockByHeight", JSON.createArrayNode().add(Hex.quantity(height)).add(false));
  }

  private JsonNode call(URI node, String method, ArrayNode params) {
    HttpRequest get = HttpRequest.newBuilder(node)
        .version(HttpClient.Version.HTTP_1_1)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request(method, params)))
        .build();
    try {
      return JSON.readTree(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).path("result");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reassembles text frames; subscription pushes carry a finalized block. */
  private final class BlockListener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        try {
          JsonNode json = JSON.readTree(message);
          if ("tandem_subscription".equals(json.path("method").asText())) {
            onBlock(json.path("params").path("result"));
          } else if (json.has("error")) {
            System.err.println("tandem_subscribe failed: " + json.get("error"));
          }
        } catch (IOException | RuntimeException e) {
          System.err.println("cannot read a block notification: " + e);
        }
      }
      socket.request(1);
      return null;
    }
  }

  @Override
  public void close() throws Exception {
    if (blocks != null) {
      blocks.abort();
    }
    for (TandemNode node : nodes) {
      node.close();
    }
    pending.values().forEach(w -> w.commit().completeExceptionally(new IllegalStateException("cluster closed")));
    if (dir != null) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
