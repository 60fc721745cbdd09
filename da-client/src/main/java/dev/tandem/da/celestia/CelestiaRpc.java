package dev.tandem.da.celestia;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON-RPC 2.0 over HTTP POST to celestia-node, with its bearer token. Sorts every failure by what
 * it says about the request: never reached the node, reached it with an unknown outcome, refused,
 * answered with a JSON-RPC error, or answered with something that is not a valid response. Bodies
 * are read up to a size limit.
 */
final class CelestiaRpc {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a failure says about whether the node acted on the request. */
  enum Failure {
    /** The node did not process the request (connection refused, HTTP 503/429): retrying is safe. */
    UNREACHED,
    /** The request may have been processed (timeout after sending, HTTP 500/502/504, cut-off answer). */
    UNCERTAIN,
    /** Refused at the HTTP level (401/403 auth, other 4xx): not processed, and retrying will not help. */
    REFUSED,
    /** The node answered with a JSON-RPC error object. */
    RPC_ERROR,
    /** The answer is not a valid JSON-RPC response, or is larger than allowed. */
    MALFORMED
  }

  /** A failed call; {@link #failure()} tells the caller whether to retry or reconcile. */
  static final class RpcException extends Exception {
    private final Failure failure;

    RpcException(Failure failure, String message, Throwable cause) {
      super(message, cause);
      this.failure = failure;
    }

    Failure failure() {
      return failure;
    }
  }

  private final URI url;
  private final String authToken;
  private final int maxResponseBytes;
  private final HttpClient http;
  private final AtomicLong ids = new AtomicLong();

  CelestiaRpc(URI url, String authToken, Duration connectTimeout, int maxResponseBytes) {
    this.url = url;
    this.authToken = authToken;
    this.maxResponseBytes = maxResponseBytes;
    this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  /**
   * Calls {@code method}, retrying under {@code policy} when the failure is {@link Failure#UNREACHED}
   * and, if {@code retryUncertain}, {@link Failure#UNCERTAIN} (only for calls that change nothing).
   * Returns the {@code result} member, which may be a JSON null.
   */
  JsonNode call(String method, ArrayNode params, Duration timeout, RetryPolicy policy, boolean retryUncertain)
      throws RpcException {
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return callOnce(method, params, timeout);
      } catch (RpcException e) {
        boolean retryable = e.failure() == Failure.UNREACHED || (retryUncertain && e.failure() == Failure.UNCERTAIN);
        if (!retryable) {
          throw e;
        }
        Duration wait = policy.backoffAfter(attempt);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        if (attempt >= policy.maxAttempts() || elapsed.plus(wait).compareTo(policy.totalBudget()) > 0) {
          throw new RpcException(e.failure(), e.getMessage() + " (gave up after " + attempt + " attempts in "
              + elapsed.toMillis() + " ms)", e);
        }
        sleep(wait);
      }
    }
  }

  private JsonNode callOnce(String method, ArrayNode params, Duration timeout) throws RpcException {
    long id = ids.incrementAndGet();
    ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
    request.set("params", params);
    HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request.toString(), StandardCharsets.UTF_8));
    if (!authToken.isEmpty()) {
      builder.header("Authorization", "Bearer " + authToken);
    }
    HttpResponse<InputStream> response;
    try {
      response = http.send(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new RpcException(Failure.UNREACHED, method + ": could not connect to celestia-node at " + url
          + " within the timeout", e);
    } catch (ConnectException e) {
      throw new RpcException(Failure.UNREACHED, method + ": celestia-node at " + url + " refused the connection", e);
    } catch (HttpTimeoutException e) {
      throw new RpcException(Failure.UNCERTAIN, method + ": no answer from celestia-node at " + url + " within "
          + timeout.toSeconds() + " s", e);
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        throw new RpcException(Failure.UNREACHED, method + ": celestia-node at " + url + " refused the connection", e);
      }
      throw new RpcException(Failure.UNCERTAIN, method + ": connection to celestia-node at " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(Failure.UNCERTAIN, method + ": interrupted while waiting for celestia-node", e);
    }
    byte[] body = readBounded(method, response);
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new RpcException(Failure.REFUSED, method + ": celestia-node at " + url + " refused the auth token (HTTP "
          + status + "); configure a token with write permission, e.g. from `celestia light auth write`", null);
    }
    if (status == 503 || status == 429) {
      throw new RpcException(Failure.UNREACHED, method + ": celestia-node at " + url + " is unavailable (HTTP " + status
          + ")", null);
    }
    if (status >= 500) {
      throw new RpcException(Failure.UNCERTAIN, method + ": celestia-node at " + url + " failed with HTTP " + status
          + ": " + snippet(body), null);
    }
    if (status != 200) {
      throw new RpcException(Failure.REFUSED, method + ": celestia-node at " + url + " refused the request with HTTP "
          + status + ": " + snippet(body), null);
    }
    return resultOf(method, id, body);
  }

  private byte[] readBounded(String method, HttpResponse<InputStream> response) throws RpcException {
    try (InputStream in = response.body()) {
      long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > maxResponseBytes) {
        throw oversized(method, declared + " bytes");
      }
      byte[] body = in.readNBytes(maxResponseBytes + 1);
      if (body.length > maxResponseBytes) {
        throw oversized(method, "more than " + maxResponseBytes + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw new RpcException(Failure.UNCERTAIN, method + ": the answer from celestia-node at " + url
          + " was cut off: " + e, e);
    }
  }

  private RpcException oversized(String method, String size) {
    return new RpcException(Failure.MALFORMED, method + ": celestia-node at " + url + " answered " + size
        + ", above the " + maxResponseBytes + "-byte limit (maxResponseBytes); refusing to read it", null);
  }

  private JsonNode resultOf(String method, long id, byte[] body) throws RpcException {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw malformed(method, "the body is not JSON: " + snippet(body));
    } catch (IOException e) {
      throw malformed(method, "the body cannot be read: " + e.getMessage());
    }
    if (json == null || !json.isObject()) {
      throw malformed(method, "the body is not a JSON-RPC response object: " + snippet(body));
    }
    if (!json.path("id").canConvertToLong() || json.path("id").asLong() != id) {
      throw malformed(method, "its id " + json.path("id") + " does not match the request id " + id);
    }
    JsonNode error = json.get("error");
    if (error != null && !error.isNull()) {
      String message = error.path("message").asText("");
      if (message.isEmpty()) {
        throw malformed(method, "its error carries no message: " + snippet(body));
      }
      throw new RpcException(Failure.RPC_ERROR, message, null);
    }
    if (!json.has("result")) {
      throw malformed(method, "it has neither result nor error");
    }
    return json.get("result");
  }

  RpcException malformed(String method, String why) {
    return new RpcException(Failure.MALFORMED, method + ": celestia-node at " + url + " answered a malformed response: "
        + why, null);
  }

  private static String snippet(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return body.length > 200 ? text + "..." : text;
  }

  private static void sleep(Duration wait) throws RpcException {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RpcException(Failure.UNCERTAIN, "interrupted while backing off", e);
    }
  }
}
