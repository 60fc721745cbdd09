package dev.tandem.da.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.da.DaException;
import dev.tandem.da.DaReceipt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link LocalDa} over HTTP so that several processes of a devnet share one DA layer.
 *
 * <ul>
 *   <li>{@code POST /v1/blobs?namespace=<u64>&key=<hex>} with the raw blob as body: stores it,
 *       answers {@code {"commitment","sequence","namespace"}}; the same key answers the same receipt.
 *   <li>{@code GET /v1/blobs/<commitment hex>}: the raw blob.
 *   <li>{@code GET /v1/namespaces/<u64>/blobs?from=<sequence>&limit=<n>}: the namespace's blobs.
 *   <li>{@code GET /health}.
 * </ul>
 *
 * Bad input answers 400 with {@code {"error": reason}}; LMDB work runs off the event loop.
 */
public final class LocalDaServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalDaServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LIST = 1000;

  private final LocalDa da;
  private final HttpServer server;

  private LocalDaServer(LocalDa da, HttpServer server) {
    this.da = da;
    this.server = server;
  }

  /** Starts serving on {@code host:port} (port 0 picks one); completes once listening. */
  public static Future<LocalDaServer> start(Vertx vertx, LocalDa da, String host, int port) {
    Router router = Router.router(vertx);
    router.post("/v1/blobs").handler(BodyHandler.create().setBodyLimit(da.maxBlobBytes()).setHandleFileUploads(false));
    router.post("/v1/blobs").handler(ctx -> post(vertx, da, ctx));
    router.get("/v1/blobs/:commitment").handler(ctx -> get(vertx, da, ctx));
    router.get("/v1/namespaces/:namespace/blobs").handler(ctx -> list(vertx, da, ctx));
    router.get("/health").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"ok\"}"));
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      if (status == 500) {
        LOG.warn("local DA request {} failed", ctx.request().uri(), ctx.failure());
      }
      error(ctx, status, status == 413 ? "blob exceeds " + da.maxBlobBytes() + " bytes" : "request failed");
    });
    return vertx.createHttpServer().requestHandler(router).listen(port, host)
        .map(server -> new LocalDaServer(da, server));
  }

  public int port() {
    return server.actualPort();
  }

  private static void post(Vertx vertx, LocalDa da, RoutingContext ctx) {
    long namespace;
    byte[] key;
    try {
      namespace = parseNamespace(ctx.queryParams().get("namespace"));
      key = HexFormat.of().parseHex(strip(required(ctx.queryParams().get("key"), "key")));
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    vertx.<DaReceipt>executeBlocking(() -> da.post(namespace, body, key)).onComplete(result -> {
      if (result.failed()) {
        boolean clientError = result.cause() instanceof DaException e && !e.transientFailure();
        error(ctx, clientError ? 400 : 503, result.cause().getMessage());
        return;
      }
      ObjectNode json = JSON.createObjectNode();
      json.put("commitment", result.result().commitmentHex());
      json.put("sequence", result.result().locator());
      json.put("namespace", Long.toUnsignedString(namespace));
      ctx.response().putHeader("Content-Type", "application/json").end(json.toString());
    });
  }

  private static void get(Vertx vertx, LocalDa da, RoutingContext ctx) {
    byte[] commitment;
    try {
      commitment = HexFormat.of().parseHex(strip(ctx.pathParam("commitment")));
      if (commitment.length != 32) {
        throw new IllegalArgumentException("commitment must be 32 bytes of hex");
      }
    } catch (IllegalArgumentException e) {
      error(ctx, 400, "bad commitment: " + e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> da.get(commitment)).onComplete(result -> {
      if (result.failed()) {
        error(ctx, 500, "read failed");
      } else if (result.result().isEmpty()) {
        error(ctx, 404, "no blob with that commitment");
      } else {
        ctx.response().putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(result.result().get()));
      }
    });
  }

  private static void list(Vertx vertx, LocalDa da, RoutingContext ctx) {
    long namespace;
    long from;
    int limit;
    try {
      namespace = parseNamespace(ctx.pathParam("namespace"));
      from = parseLong(ctx.queryParams().get("from"), 0, "from");
      limit = (int) Math.min(MAX_LIST, parseLong(ctx.queryParams().get("limit"), 100, "limit"));
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> da.list(namespace, from, limit)).onComplete(result -> {
      if (result.failed()) {
        error(ctx, 500, "read failed");
        return;
      }
      ArrayNode array = JSON.createArrayNode();
      for (LocalDa.BlobInfo info : result.result()) {
        ObjectNode item = array.addObject();
        item.put("commitment", "0x" + HexFormat.of().formatHex(info.commitment()));
        item.put("sequence", info.sequence());
        item.put("size", info.size());
      }
      ctx.response().putHeader("Content-Type", "application/json").end(array.toString());
    });
  }

  private static long parseNamespace(String text) {
    required(text, "namespace");
    try {
      return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("namespace must be an unsigned 64-bit number, decimal or 0x-hex");
    }
  }

  private static long parseLong(String text, long fallback, String name) {
    if (text == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text);
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a non-negative integer");
    }
  }

  private static String required(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("query parameter '" + name + "' is required");
    }
    return value;
  }

  private static String strip(String hex) {
    return hex.startsWith("0x") ? hex.substring(2) : hex;
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ObjectNode json = JSON.createObjectNode().put("error", message);
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.toString());
  }

  @Override
  public void close() {
    server.close().toCompletionStage().toCompletableFuture().join();
  }
}
