package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.CancelRequest;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small blocking client for a Tandem node's JSON-RPC API over HTTP, for dapps, rollup tooling
 * and the CLI. Thread-safe. Every method throws {@link RpcException} with the node's error code
 * and message when the node rejects a call.
 */
public final class TandemClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final AtomicLong nextId = new AtomicLong(1);

  public TandemClient(URI endpoint, Duration requestTimeout) {
    this.endpoint = endpoint;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout).build();
  }

  public static TandemClient connect(String url) {
    return new TandemClient(URI.create(url), Duration.ofSeconds(10));
  }

  /** Calls any method; params are converted with Jackson. Returns the {@code result} member. */
  public JsonNode call(String method, Object... params) {
    ObjectNode request = JSON.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", nextId.getAndIncrement());
    request.put("method", method);
    ArrayNode array = request.putArray("params");
    for (Object param : params) {
      array.add(JSON.valueToTree(param));
    }
    HttpResponse<String> response;
    CompletableFuture<HttpResponse<String>> pending;
    try {
      pending = http.sendAsync(HttpRequest.newBuilder(endpoint)
              .timeout(requestTimeout)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new RpcException("cannot encode the call to " + method + ": " + e.getMessage(), e);
    }
    try {
      // The request timeout covers the wait for the headers only; bound the body as well.
      response = pending.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new RpcException("cannot reach the node at " + endpoint + ": " + cause, cause);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw new RpcException("the node at " + endpoint + " did not answer " + method + " within " + requestTimeout
          .toMillis() + " ms", e);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw new RpcException("interrupted while calling " + method, e);
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new RpcException("node answered HTTP " + response.statusCode() + " with a body that is not JSON", e);
    }
    JsonNode error = body.get("error");
    if (error != null && !error.isNull()) {
      throw new RpcException(error.path("code").asInt(), error.path("message").asText("unknown error"));
    }
    if (!body.has("result")) {
      throw new RpcException(0, "node answered HTTP " + response.statusCode() + " without a result");
    }
    return body.get("result");
  }

  public long chainId() {
    return Hex.parseQuantity(call("tandem_chainId").asText());
  }

  public long blockNumber() {
    return Hex.parseQuantity(call("tandem_blockNumber").asText());
  }

  /** The next nonce the node expects from this sender, counting its pending transactions. */
  public long nextNonce(PublicKey sender) {
    return Hex.parseQuantity(call("tandem_getNonce", sender.toHex()).asText());
  }

  /** The minimum fee the node asks for a transaction of {@code encodedBytes} bytes. */
  public long minimumFee(long encodedBytes) {
    long perByte = Hex.parseQuantity(call("tandem_feePerByte").asText());
    return Math.multiplyExact(perByte, encodedBytes);
  }

  public Hash sendTransaction(Transaction tx) {
    return Hash.fromHex(call("tandem_sendRawTransaction", Hex.encode(tx.encode())).asText());
  }

  /** The receipt, or empty when the node has never seen the transaction. */
  public Optional<TxReceipt> receipt(Hash txId) {
    JsonNode result = call("tandem_getTransactionReceipt", txId.toHex());
    return result == null || result.isNull() ? Optional.empty() : Optional.of(TxReceipt.fromJson(txId, result));
  }

  /**
   * Polls until the transaction is finalized or rejected. Returns the last receipt seen; its
   * status tells which (still pending when the timeout ran out).
   */
  public TxReceipt awaitFinal(Hash txId, Duration timeout) {
    return poll(() -> receipt(txId), r -> r.status() == TxReceipt.Status.FINALIZED
        || r.status() == TxReceipt.Status.REJECTED, timeout)
        .orElse(new TxReceipt(txId, TxReceipt.Status.UNKNOWN, -1, -1, null, null));
  }

  /** Asks every 50 ms until the answer is final or the timeout runs out; returns the last answer. */
  private static <T> Optional<T> poll(java.util.function.Supplier<Optional<T>> ask, java.util.function.Predicate<T> isFinal,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Optional<T> last = Optional.empty();
    while (System.nanoTime() < deadline) {
      Optional<T> answer = ask.get();
      if (answer.isPresent()) {
        last = answer;
        if (isFinal.test(answer.get())) {
          return last;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
    return last;
  }

  /**
   * Submits an atomic bundle ({@code tandem_sendBundle}; build one with
   * {@link dev.tandem.bundles.BundleBuilder}). A refused bundle throws {@link RpcException} with
   * code -32030 (malformed) or -32031 (rejected, with the reason).
   */
  public BundleView sendBundle(Bundle bundle) {
    return BundleView.fromJson(call("tandem_sendBundle", bundle.toHex()));
  }

  /** The bundle's latest status, with per-leg receipts once included; empty when the node does not know it. */
  public Optional<BundleView> bundleStatus(Hash bundleKey) {
    JsonNode result = call("tandem_getBundleStatus", bundleKey.toHex());
    return result == null || result.isNull() ? Optional.empty() : Optional.of(BundleView.fromJson(result));
  }

  /** Withdraws pending revisions of a bundle ({@code tandem_cancelBundle}); returns the status after it. */
  public BundleView cancelBundle(CancelRequest cancel) {
    return BundleView.fromJson(call("tandem_cancelBundle", Hex.encode(cancel.encode())));
  }

  /**
   * Polls until the bundle's status is final (included, expired, replaced, cancelled, rejected) or
   * the timeout runs out; returns the last status seen, or empty if the node never knew the bundle.
   */
  public Optional<BundleView> awaitBundle(Hash bundleKey, Duration timeout) {
    return poll(() -> bundleStatus(bundleKey), BundleView::isFinal, timeout);
  }

  public JsonNode block(long height, boolean includeTransactions) {
    return call("tandem_getBlockByHeight", Hex.quantity(height), includeTransactions);
  }

  public JsonNode namespaceSlice(long height, Namespace namespace) {
    return call("tandem_getNamespaceSlice", Hex.quantity(height), namespace.toHex());
  }

  /**
   * {@code tandem_getFinalityProof}: {@code {height, blockHash, header, proof}} as hex, for an
   * independent check with the rollup-adapters {@code SliceVerifier}; a JSON null while the block
   * is not provably final yet.
   */
  public JsonNode finalityProof(long height) {
    return call("tandem_getFinalityProof", Hex.quantity(height));
  }

  /** {@code tandem_getValidators}: the validator set the node runs consensus with (as the node reports it). */
  public JsonNode validators() {
    return call("tandem_getValidators");
  }
}
