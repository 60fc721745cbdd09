package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.Block;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.node.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one HTTP server: JSON-RPC at {@code POST /}, JSON-RPC with subscriptions at
 * {@code /ws} (WebSocket), Prometheus text at {@code GET /metrics}, health at {@code GET /health}.
 * All routes are built here. The event loop only moves bytes: parsing, LMDB reads and admission
 * run on a worker pool.
 */
public final class RpcServer implements AutoCloseable {
  /** Per-connection cap so that one client cannot make every block fan out unboundedly. */
  static final int MAX_SUBSCRIPTIONS_PER_CONNECTION = 32;
  private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
  private static final int WORKERS = 8;

  private final Vertx vertx;
  private final RpcBackend backend;
  private final NodeMetrics metrics;
  private final RpcMethods methods;
  private final JsonRpcProcessor processor;
  private final WorkerExecutor workers;
  private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicLong subscriptionIds = new AtomicLong(1);
  private HttpServer server;

  private RpcServer(Vertx vertx, RpcBackend backend, NodeMetrics metrics, RpcMethods methods) {
    this.vertx = vertx;
    this.backend = backend;
    this.metrics = metrics;
    this.methods = methods;
    this.processor = new JsonRpcProcessor(methods, metrics);
    this.workers = vertx.createSharedWorkerExecutor("tandem-rpc", WORKERS);
  }

  /** The method names served (for metrics labels). */
  public static Set<String> methodNames(RpcBackend backend) {
    return Set.copyOf(new RpcMethods(backend).names());
  }

  /** Starts listening on the configured host and port; the returned future completes when bound. */
  public static Future<RpcServer> start(Vertx vertx, RpcBackend backend, NodeMetrics metrics) {
    RpcServer rpc = new RpcServer(vertx, backend, metrics, new RpcMethods(backend));
    int maxBody = backend.config().maxRpcBodyBytes();
    // HTTP/1.1 and WebSocket only: no h2c upgrade, whose handling of a POST body the JDK client and
    // Vert.x disagree on often enough to stall a call.
    HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setHost(backend.config().rpcHost())
        .setPort(backend.config().rpcPort())
        .setMaxWebSocketMessageSize(maxBody)
        .setMaxWebSocketFrameSize(Math.min(maxBody, 1 << 20));
    HttpServer server = vertx.createHttpServer(options).requestHandler(rpc.router(maxBody));
    rpc.server = server;
    return server.listen().map(bound -> rpc);
  }

  private Router router(int maxBody) {
    Router router = Router.router(vertx);
    router.route("/ws").handler(this::upgrade);
    if (backend.config().metricsEnabled()) {
      router.get("/metrics").handler(ctx -> workers.executeBlocking(metrics::scrape, false).onComplete(result -> {
        if (result.succeeded()) {
          ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(result.result());
        } else {
          ctx.fail(result.cause());
        }
      }));
    }
    if (backend.config().healthEnabled()) {
      router.get("/health").handler(ctx -> workers.executeBlocking(this::health, false).onComplete(result -> {
        if (result.succeeded()) {
          ctx.response().putHeader("Content-Type", "application/json").end(result.result());
        } else {
          ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json")
              .end("{\"status\":\"error\"}");
        }
      }));
    }
    router.post("/").handler(BodyHandler.create(false).setBodyLimit(maxBody)).handler(this::http);
    // BodyHandler fails an oversized body with 413; answer it as a JSON-RPC error, not an HTML page.
    router.errorHandler(413, ctx -> ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
        .end(processor.write(JsonRpcProcessor.error(null, new RpcError(RpcError.INVALID_REQUEST,
            "request body exceeds the limit of " + maxBody + " bytes")))));
    router.errorHandler(500, ctx -> {
      LOG.error("HTTP handler failed", ctx.failure());
      ctx.response().setStatusCode(500).putHeader("Content-Type", "application/json")
          .end(processor.write(JsonRpcProcessor.error(null, new RpcError(RpcError.INTERNAL_ERROR, "internal error"))));
    });
    return router;
  }

  private void http(RoutingContext ctx) {
    String body = ctx.body().asString("UTF-8");
    workers.executeBlocking(() -> processor.process(body == null ? "" : body, null), false).onComplete(result -> {
      if (result.failed()) {
        ctx.fail(result.cause());
      } else if (result.result() == null) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.response().putHeader("Content-Type", "application/json").end(result.result());
      }
    });
  }

  private String health() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("status", "ok");
    out.put("chainId", backend.config().chainId());
    out.put("finalizedHeight", backend.finalizedHeight());
    out.put("mempoolSize", backend.mempoolSize());
    out.put("nodeKey", backend.nodeKey().toHex());
    return out.toString();
  }

  private void upgrade(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).end("WebSocket upgrade required at /ws");
      return;
    }
    ctx.request().toWebSocket().onSuccess(ws -> {
      WsSession session = new WsSession(ws);
      sessions.add(session);
      ws.closeHandler(closed -> sessions.remove(session));
      ws.exceptionHandler(error -> LOG.debug("WebSocket error", error));
      ws.textMessageHandler(text -> workers.executeBlocking(() -> processor.process(text, session), false)
          .onComplete(result -> {
            if (result.succeeded() && result.result() != null) {
              session.send(result.result());
            }
            session.activatePending();
          }));
      ws.binaryMessageHandler(binary -> session.send(processor.write(JsonRpcProcessor.error(null,
          new RpcError(RpcError.INVALID_REQUEST, "send JSON-RPC as text frames")))));
    }).onFailure(error -> LOG.debug("WebSocket upgrade failed", error));
  }

  /** Pushes a newly finalized block to subscribers. Call in height order; does not block on slow clients. */
  public void publish(Block block) {
    if (sessions.isEmpty()) {
      return;
    }
    JsonNode blockJson = RpcMethods.newBlock(block);
    Map<Namespace, JsonNode> slices = new HashMap<>();
    for (WsSession session : sessions) {
      session.publish(block, blockJson, slices);
    }
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      LOG.warn("closing the RPC server failed", e);
    }
    workers.close();
  }

  /** One WebSocket connection and its subscriptions. */
  private final class WsSession implements RpcSession {
    private final ServerWebSocket ws;
    /** Subscription id to namespace; newBlocks subscriptions map to {@link #ALL}. */
    private final Map<String, Namespace> active = new ConcurrentHashMap<>();
    /** Created by a call whose response is not written yet; activated after it, so the id arrives first. */
    private final Map<String, Namespace> pending = new ConcurrentHashMap<>();
    private static final Namespace ALL = new Namespace(-1);

    WsSession(ServerWebSocket ws) {
      this.ws = ws;
    }

    @Override
    public String subscribe(Namespace namespaceOrNull) {
      if (active.size() + pending.size() >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        throw new RpcError(RpcError.TOO_MANY_SUBSCRIPTIONS, "a connection may hold at most "
            + MAX_SUBSCRIPTIONS_PER_CONNECTION + " subscriptions");
      }
      String id = Hex.quantity(subscriptionIds.getAndIncrement());
      pending.put(id, namespaceOrNull == null ? ALL : namespaceOrNull);
      return id;
    }

    @Override
    public boolean unsubscribe(String id) {
      return active.remove(id) != null | pending.remove(id) != null;
    }

    void activatePending() {
      for (String id : pending.keySet()) {
        Namespace namespace = pending.remove(id);
        if (namespace != null) {
          active.put(id, namespace);
        }
      }
    }

    void send(String text) {
      if (ws.isClosed()) {
        return;
      }
      ws.writeTextMessage(text);
    }

    void publish(Block block, JsonNode blockJson, Map<Namespace, JsonNode> slices) {
      if (active.isEmpty() || ws.isClosed()) {
        return;
      }
      if (ws.writeQueueFull()) {
        // A subscriber that cannot keep up is dropped rather than buffered without bound.
        LOG.info("closing a WebSocket subscriber that is not reading");
        ws.close((short) 1008, "subscriber too slow");
        return;
      }
      for (Map.Entry<String, Namespace> sub : active.entrySet()) {
        JsonNode result = sub.getValue() == ALL ? blockJson
            : slices.computeIfAbsent(sub.getValue(), ns -> RpcMethods.slice(block, ns));
        ObjectNode note = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0")
            .put("method", "tandem_subscription");
        note.putObject("params").put("subscription", sub.getKey()).set("result", result);
        send(processor.write(note));
      }
    }
  }
}
