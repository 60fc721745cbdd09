package dev.tandem.adapters.opstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * L2 block attributes read from the rollup's execution client (op-geth, op-reth) over Ethereum
 * JSON-RPC, with one {@code eth_getBlockByNumber(N, true)} per block:
 * <ul>
 *   <li>parent hash and timestamp: the block's own {@code parentHash} and {@code timestamp};
 *   <li>L1 origin (epoch number and hash): decoded from the block's first transaction, the L1
 *       attributes deposit (type {@code 0x7e}) that op-node puts first in every L2 block, whose
 *       calldata is {@code setL1BlockValues} (Bedrock, ABI-encoded), {@code setL1BlockValuesEcotone}
 *       or {@code setL1BlockValuesIsthmus} (packed); each carries the L1 block number and hash.
 * </ul>
 * A block the engine does not have yet, or one without an L1 attributes deposit, is an
 * {@link IllegalStateException} saying so; the adapter retries later.
 */
public final class JsonRpcL2EngineView implements L2EngineView {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int BEDROCK_SELECTOR = 0x015d8eb9;
  static final int ECOTONE_SELECTOR = 0x440a5e20;
  static final int ISTHMUS_SELECTOR = 0x098999be;
  private static final int MAX_RESPONSE_CHARS = 32 << 20;

  private final URI url;
  private final Duration timeout;
  private final HttpClient http;

  public JsonRpcL2EngineView(URI url, Duration timeout) {
    this.url = url;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  @Override
  public L2BlockAttributes blockAttributes(long blockNumber) {
    JsonNode block = call("eth_getBlockByNumber", "0x" + Long.toHexString(blockNumber));
    if (block == null || block.isNull()) {
      throw new IllegalStateException("the L2 engine at " + url + " has no block " + blockNumber
          + " yet; the batch waits until the rollup has executed it");
    }
    byte[] parentHash = bytes(block, "parentHash", 32);
    long timestamp = quantity(block, "timestamp");
    JsonNode first = block.path("transactions").path(0);
    if (!first.isObject() || !"0x7e".equalsIgnoreCase(first.path("type").asText())) {
      throw new IllegalStateException("L2 block " + blockNumber + " from " + url + " does not start with an L1"
          + " attributes deposit (type 0x7e): is this an OP Stack execution client?");
    }
    L1Origin origin;
    try {
      origin = l1Origin(hex(first.path("input").asText()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("L2 block " + blockNumber + ": " + e.getMessage(), e);
    }
    return new L2BlockAttributes(parentHash, origin.number(), origin.hash(), timestamp);
  }

  /** An L1 block by number and hash. */
  record L1Origin(long number, byte[] hash) {}

  /** The L1 origin in an L1 attributes deposit's calldata, for each calldata layout op-node has used. */
  static L1Origin l1Origin(byte[] input) {
    if (input.length < 4) {
      throw new IllegalArgumentException("L1 attributes calldata of " + input.length + " bytes has no selector");
    }
    int selector = new BigInteger(1, Arrays.copyOf(input, 4)).intValue();
    int numberEnd;
    int hashStart;
    int minLength;
    if (selector == BEDROCK_SELECTOR) {
      // ABI words: number, timestamp, basefee, hash, ...
      numberEnd = 4 + 32;
      hashStart = 4 + 96;
      minLength = 4 + 8 * 32;
    } else if (selector == ECOTONE_SELECTOR || selector == ISTHMUS_SELECTOR) {
      // packed: baseFeeScalar u32, blobBaseFeeScalar u32, sequenceNumber u64, timestamp u64, number u64,
      // basefee u256, blobBaseFee u256, hash bytes32, batcherHash bytes32 (Isthmus appends operator fees)
      numberEnd = 4 + 4 + 4 + 8 + 8 + 8;
      hashStart = numberEnd + 32 + 32;
      minLength = hashStart + 64;
    } else {
      throw new IllegalArgumentException(String.format("unknown L1 attributes selector 0x%08x", selector));
    }
    if (input.length < minLength) {
      throw new IllegalArgumentException("L1 attributes calldata of " + input.length + " bytes is shorter than "
          + minLength);
    }
    BigInteger number = new BigInteger(1, Arrays.copyOfRange(input, numberEnd - 8, numberEnd));
    if (selector == BEDROCK_SELECTOR
        && new BigInteger(1, Arrays.copyOfRange(input, 4, numberEnd)).bitLength() > 63) {
      throw new IllegalArgumentException("L1 origin number does not fit 63 bits");
    }
    return new L1Origin(number.longValueExact(), Arrays.copyOfRange(input, hashStart, hashStart + 32));
  }

  private JsonNode call(String method, String blockNumberHex) {
    ObjectNode request = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
    request.putArray("params").add(blockNumberHex).add(true);
    HttpResponse<String> response;
    try {
      response = http.send(HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the L2 engine at " + url + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling the L2 engine", e);
    }
    if (response.body().length() > MAX_RESPONSE_CHARS) {
      throw new IllegalStateException("the L2 engine's answer to " + method + " exceeds " + MAX_RESPONSE_CHARS
          + " characters");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException("the L2 engine at " + url + " answered HTTP " + response.statusCode()
          + " with a body that is not JSON", e);
    }
    JsonNode error = body.get("error");
    if (error != null && !error.isNull()) {
      throw new IllegalStateException("the L2 engine refused " + method + ": " + error.path("message").asText());
    }
    return body.get("result");
  }

  private static long quantity(JsonNode block, String field) {
    String text = block.path(field).asText("");
    if (!text.matches("0x[0-9a-fA-F]{1,15}")) {
      throw new IllegalStateException("L2 block field " + field + " is not a quantity: '" + text + "'");
    }
    return Long.parseLong(text.substring(2), 16);
  }

  private static byte[] bytes(JsonNode block, String field, int length) {
    String text = block.path(field).asText("");
    if (!text.matches("0x[0-9a-fA-F]{" + 2 * length + "}")) {
      throw new IllegalStateException("L2 block field " + field + " is not " + length + " bytes of hex: '" + text + "'");
    }
    return HexFormat.of().parseHex(text.substring(2));
  }

  private static byte[] hex(String text) {
    if (!text.matches("0x([0-9a-fA-F]{2})*")) {
      throw new IllegalArgumentException("L1 attributes calldata is not hex");
    }
    return HexFormat.of().parseHex(text.substring(2));
  }
}
