package dev.tandem.bench.ordering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.bench.LocalValidators;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Transaction;
import dev.tandem.node.TandemNode;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tandem validators in this JVM, each a full {@link TandemNode} (LMDB store, libp2p on loopback,
 * BFT consensus, JSON-RPC), used the way a client uses the network: every payload becomes a signed
 * transaction sent with {@code tandem_sendRawTransaction} over HTTP to one of the nodes (senders
 * spread over the nodes), and commits are seen through a WebSocket {@code tandem_subscribe(["newBlocks"])}
 * on node 0. A payload is committed when the block holding it is finalized on node 0.
 *
 * <p>Each node gets at most {@value #REQUESTS_PER_NODE} HTTP requests at a time (its RPC worker
 * count); payloads that come due while those are out wait and go together in the next request as
 * one JSON-RPC batch of up to {@value #CALLS_PER_REQUEST} calls. That is the pipelining Ratis' async
 * client does for its entries; at a low rate every payload still goes alone, at once.
 *
 * <p>Client work shares the machine: the client's HTTP and JSON run during the load; signing (about
 * 40 µs a transaction) is done ahead of it ({@link #prepare}), as a client would on its own machine.
 */
public final class TandemCluster implements OrderingCluster {
  /**
   * How the nodes order: BFT with whole blocks or transaction ids in proposals; one BFT validator
   * (consensus rounds and their safety writes, but no network between validators); or one node with
   * the single-node orderer (no consensus at all).
   */
  public enum Mode { FULL, COMPACT, ONE_VALIDATOR, SOLO }

  /**
   * The solo node's block interval: a block is cut at most this long after a transaction is
   * admitted, so the solo figures are Tandem's pipeline (RPC, signature check, admission write,
   * block write, notification) with next to no ordering in it.
   */
  static final int SOLO_BLOCK_INTERVAL_MILLIS = 1;

  private final Mode mode;
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int REQUESTS_PER_NODE = 8;
  static final int CALLS_PER_REQUEST = 64;

  private final List<TandemNode> nodes = new ArrayList<>();
  private final List<URI> rpc = new ArrayList<>();
  private final List<Submitter> submitters = new ArrayList<>();
  private SignedPayloads signer;
  private final Map<Hash, Waiting> pending = new ConcurrentHashMap<>();
  private final Map<Integer, Double> verificationsSeen = new HashMap<>();
  private long workSeenNanos;
  private double viewSeen;
  private double duplicatesSeen;
  private double sparedSeen;
  private long heightSeen;
  private final AtomicLong requestId = new AtomicLong();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private WebSocket blocks;
  private Path dir;

  /** A submitted transaction not yet seen in a finalized block. */
  private record Waiting(CompletableFuture<Commit> commit, int sender, long nonce) {}

  /** A signed transaction waiting for its HTTP request. */
  private record Call(Transaction tx, CompletableFuture<Commit> commit) {}

  @Override
  public String name() {
    return switch (mode) {
      case FULL -> "tandem";
      case COMPACT -> "tandem-compact";
      case ONE_VALIDATOR -> "tandem-one";
      case SOLO -> "tandem-solo";
    };
  }

  public TandemCluster(Mode mode) {
    this.mode = mode;
  }

  public TandemCluster() {
    this(Mode.FULL);
  }

  @Override
  public void start(int count) throws Exception {
    dir = Files.createTempDirectory("tandem-bench-bft-");
    Random random = new Random(4242);
    // Whatever the replica count asked for, solo and one-validator run one node: they are the floors
    // the BFT runs are read against.
    if (mode == Mode.SOLO) {
      nodes.add(LocalValidators.startAlone(dir, SignedPayloads.CHAIN, SOLO_BLOCK_INTERVAL_MILLIS));
    } else if (mode == Mode.ONE_VALIDATOR) {
      LocalValidators.start(dir, SignedPayloads.CHAIN, 1, random, false, nodes);
    } else {
      LocalValidators.start(dir, SignedPayloads.CHAIN, count, random, mode == Mode.COMPACT, nodes);
    }
    for (TandemNode node : nodes) {
      rpc.add(URI.create(node.rpcUrl()));
      submitters.add(new Submitter(URI.create(node.rpcUrl())));
    }
    signer = new SignedPayloads(random);
    blocks = http.newWebSocketBuilder().buildAsync(URI.create(nodes.get(0).wsUrl()), new BlockListener())
        .get(30, TimeUnit.SECONDS);
    blocks.sendText(request("tandem_subscribe", JSON.createArrayNode().add("newBlocks")).toString(), true)
        .get(30, TimeUnit.SECONDS);
    // The first transaction waits for the validators to connect and form the gossip mesh.
    submit(new byte[] {1}).get(120, TimeUnit.SECONDS);
  }

  private ObjectNode request(String method, ArrayNode params) {
    ObjectNode call = JSON.createObjectNode();
    call.put("jsonrpc", "2.0");
    call.put("id", requestId.incrementAndGet());
    call.put("method", method);
    call.set("params", params);
    return call;
  }

  @Override
  public void prepare(List<byte[]> payloads) {
    signer.prepare(payloads);
  }

  @Override
  public CompletableFuture<Commit> submit(byte[] payload) {
    SignedPayloads.Signed signed = signer.sign(payload);
    Transaction tx = signed.tx();
    int s = signed.sender();
    CompletableFuture<Commit> commit = new CompletableFuture<>();
    pending.put(tx.id(), new Waiting(commit, s, tx.nonce()));
    // A sender always uses the same node, so its nonces meet in one mempool even when they overtake each other.
    submitters.get(s % submitters.size()).enqueue(new Call(tx, commit));
    return commit;
  }

  /** A failed submission: the commit will never come. */
  private void refused(Call call, String refusal) {
    if (pending.remove(call.tx().id()) != null) {
      // Later nonces of this sender now wait for a gap that never fills; they show up as lost.
      call.commit().completeExceptionally(new IllegalStateException("sendRawTransaction: " + refusal));
    }
  }

  /** Sends one node's transactions: at most {@link #REQUESTS_PER_NODE} requests out, the rest queued. */
  private final class Submitter {
    private final URI node;
    private final ArrayDeque<Call> queue = new ArrayDeque<>();
    private final ExecutorService senders = Executors.newFixedThreadPool(REQUESTS_PER_NODE, runnable -> {
      Thread thread = new Thread(runnable, "bench-submitter");
      thread.setDaemon(true);
      return thread;
    });
    private int inFlight;

    Submitter(URI node) {
      this.node = node;
    }

    void enqueue(Call call) {
      List<Call> calls = null;
      synchronized (this) {
        queue.add(call);
        if (inFlight < REQUESTS_PER_NODE) {
          calls = take();
        }
      }
      if (calls != null) {
        send(calls);
      }
    }

    /** Caller holds the lock. */
    private List<Call> take() {
      List<Call> calls = new ArrayList<>(Math.min(queue.size(), CALLS_PER_REQUEST));
      while (!queue.isEmpty() && calls.size() < CALLS_PER_REQUEST) {
        calls.add(queue.poll());
      }
      inFlight++;
      return calls;
    }

    private void send(List<Call> calls) {
      Map<Long, Call> byId = new HashMap<>();
      ArrayNode batch = JSON.createArrayNode();
      for (Call call : calls) {
        ObjectNode request = request("tandem_sendRawTransaction",
            JSON.createArrayNode().add(Hex.encode(call.tx().encode())));
        byId.put(request.get("id").asLong(), call);
        batch.add(request);
      }
      String body = calls.size() == 1 ? batch.get(0).toString() : batch.toString();
      HttpRequest post = HttpRequest.newBuilder(node)
          .version(HttpClient.Version.HTTP_1_1)
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      // A blocking send on a thread of this node's own: sendAsync hands every response to the
      // CompletableFuture default executor, which on two cores starts a thread per response.
      senders.execute(() -> {
        try {
          answer(http.send(post, HttpResponse.BodyHandlers.ofString()), byId);
        } catch (IOException | RuntimeException e) {
          calls.forEach(call -> refused(call, String.valueOf(e)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          calls.forEach(call -> refused(call, "interrupted"));
        } finally {
          done();
        }
      });
    }

    private void done() {
      List<Call> calls = null;
      synchronized (this) {
        inFlight--;
        if (!queue.isEmpty()) {
          calls = take();
        }
      }
      if (calls != null) {
        send(calls);
      }
    }
  }

  /** Fails the calls whose response is an error; a response that is no answer per call fails them all. */
  private void answer(HttpResponse<String> response, Map<Long, Call> byId) {
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      byId.values().forEach(call -> refused(call, "HTTP " + response.statusCode() + " with a body that is not JSON"));
      return;
    }
    List<JsonNode> answers = new ArrayList<>();
    if (body.isArray()) {
      body.forEach(answers::add);
    } else {
      answers.add(body);
    }
    for (JsonNode answer : answers) {
      Call call = byId.remove(answer.path("id").asLong());
      String refusal = refusal(answer, response.statusCode());
      if (call != null && refusal != null) {
        refused(call, refusal);
      }
    }
    // Calls the response did not answer (e.g. the whole request was refused) failed too.
    byId.values().forEach(call -> refused(call, "no answer in " + body));
  }

  /** The JSON-RPC error of one answer, or null when it carries a result. */
  private static String refusal(JsonNode answer, int status) {
    JsonNode error = answer.get("error");
    if (error != null && !error.isNull()) {
      return error.toString();
    }
    return answer.has("result") ? null : "HTTP " + status + " without result";
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

  /**
   * Since the last call: each node's {@code tandem_tx_signature_verifications_total} per committed
   * payload, and node 0's consensus views, finalized blocks, gossip copies received again and
   * forwards spared by IDONTWANT a second.
   */
  @Override
  public String describeWork(long committed) {
    StringBuilder out = new StringBuilder("tx signature checks per committed payload, by node:");
    double view = Double.NaN;
    double duplicates = Double.NaN;
    double spared = Double.NaN;
    for (int i = 0; i < rpc.size(); i++) {
      String metrics = scrape(rpc.get(i).resolve("/metrics"));
      double total = valueOf(metrics, "tandem_tx_signature_verifications_total");
      double since = total - verificationsSeen.getOrDefault(i, 0.0);
      verificationsSeen.put(i, total);
      out.append(String.format(" %.2f", committed == 0 ? 0 : since / committed));
      if (i == 0) {
        view = valueOf(metrics, "tandem_consensus_view");
        duplicates = valueOf(metrics, "tandem_gossip_duplicates_received_total");
        spared = valueOf(metrics, "tandem_gossip_forwards_spared_total");
      }
    }
    long now = System.nanoTime();
    long height = nodes.get(0).finalizedHeight();
    if (workSeenNanos != 0) {
      double seconds = (now - workSeenNanos) / 1e9;
      out.append(String.format("; node 0: %.0f views/s, %.0f blocks/s, %.0f gossip copies received again/s,"
          + " %.0f forwards spared/s", (view - viewSeen) / seconds, (height - heightSeen) / seconds,
          (duplicates - duplicatesSeen) / seconds, (spared - sparedSeen) / seconds));
    }
    workSeenNanos = now;
    duplicatesSeen = duplicates;
    sparedSeen = spared;
    viewSeen = view;
    heightSeen = height;
    return out.toString();
  }

  /** A node's Prometheus text; empty if interrupted. */
  private String scrape(URI metrics) {
    HttpRequest get = HttpRequest.newBuilder(metrics).version(HttpClient.Version.HTTP_1_1).GET().build();
    try {
      return http.send(get, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The value of an untagged metric in Prometheus text, NaN if absent. */
  private static double valueOf(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
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
        .POST(HttpRequest.BodyPublishers.ofString(request(method, params).toString()))
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
    submitters.forEach(submitter -> submitter.senders.shutdownNow());
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
