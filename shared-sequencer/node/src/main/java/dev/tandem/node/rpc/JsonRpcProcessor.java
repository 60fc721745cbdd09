package dev.tandem.node.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.DecodingException;
import dev.tandem.node.mempool.AdmissionException;
import dev.tandem.node.metrics.NodeMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 framing: parses a request or batch, runs each call, and writes the response. Never
 * throws: every failure becomes an error object (unexpected ones as -32603, logged).
 */
final class JsonRpcProcessor {
  static final int MAX_BATCH = 1000;
  static final int MAX_NESTING = 64;
  private static final Logger LOG = LoggerFactory.getLogger(JsonRpcProcessor.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ObjectMapper mapper;
  private final RpcMethods methods;
  private final NodeMetrics metrics;

  JsonRpcProcessor(RpcMethods methods, NodeMetrics metrics) {
    // Bound nesting so that a deeply nested body cannot exhaust the stack.
    this.mapper = new ObjectMapper(JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build()).build());
    this.methods = methods;
    this.metrics = metrics;
  }

  /** Handles one HTTP body or WebSocket message; returns the response text, or null when there is none. */
  String process(String body, RpcSession session) {
    JsonNode request;
    try {
      request = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      return write(error(null, new RpcError(RpcError.PARSE_ERROR, "parse error: " + e.getOriginalMessage())));
    }
    if (request == null || request.isMissingNode()) {
      return write(error(null, new RpcError(RpcError.PARSE_ERROR, "parse error: empty body")));
    }
    if (request.isArray()) {
      if (request.isEmpty()) {
        return write(error(null, new RpcError(RpcError.INVALID_REQUEST, "empty batch")));
      }
      if (request.size() > MAX_BATCH) {
        return write(error(null, new RpcError(RpcError.INVALID_REQUEST,
            "batch of " + request.size() + " calls exceeds the limit of " + MAX_BATCH)));
      }
      List<Runnable> afterStart = prepare(request);
      // Every call starts before any finishes, so that the durable writes of a batch of
      // transactions share one store commit.
      List<Supplier<ObjectNode>> started = new ArrayList<>(request.size());
      try {
        for (JsonNode call : request) {
          started.add(start(call, session));
        }
      } finally {
        afterStart.forEach(Runnable::run);
      }
      ArrayNode responses = JSON.arrayNode();
      for (Supplier<ObjectNode> call : started) {
        ObjectNode response = call.get();
        if (response != null) {
          responses.add(response);
        }
      }
      return responses.isEmpty() ? null : write(responses);
    }
    ObjectNode response = start(request, session).get();
    return response == null ? null : write(response);
  }

  /**
   * Lets each method see its calls in a batch before they start ({@link RpcMethods.Method#prepareBatch});
   * returns what they ask to run once all have started.
   */
  private List<Runnable> prepare(JsonNode batch) {
    Map<String, List<Params>> byMethod = new LinkedHashMap<>();
    for (JsonNode call : batch) {
      JsonNode method = call.get("method");
      JsonNode params = call.get("params");
      if (call.isObject() && method != null && method.isTextual() && methods.get(method.asText()) != null
          && (params == null || params.isNull() || params.isArray())) { // a malformed call reports itself
        byMethod.computeIfAbsent(method.asText(), name -> new ArrayList<>()).add(new Params(params));
      }
    }
    List<Runnable> afterStart = new ArrayList<>(byMethod.size());
    byMethod.forEach((name, calls) -> {
      try {
        afterStart.add(methods.get(name).prepareBatch(calls));
      } catch (RuntimeException e) {
        // only a shortcut: each call still does and reports its own work
        LOG.warn("preparing a batch of {} {} calls failed", calls.size(), name, e);
      }
    });
    return afterStart;
  }

  /**
   * Starts one call; the supplier finishes it and gives its response, or null for a valid
   * notification (a request without id). Neither throws.
   */
  private Supplier<ObjectNode> start(JsonNode request, RpcSession session) {
    if (!request.isObject()) {
      return answered(error(null, new RpcError(RpcError.INVALID_REQUEST, "a request must be a JSON object")));
    }
    JsonNode id = request.get("id");
    boolean notification = id == null;
    if (id != null && !(id.isTextual() || id.isIntegralNumber() || id.isNull())) {
      return answered(error(null, new RpcError(RpcError.INVALID_REQUEST, "id must be a string, an integer or null")));
    }
    if (!"2.0".equals(request.path("jsonrpc").asText(null))) {
      return answered(error(id, new RpcError(RpcError.INVALID_REQUEST, "jsonrpc must be \"2.0\"")));
    }
    JsonNode methodNode = request.get("method");
    if (methodNode == null || !methodNode.isTextual()) {
      return answered(error(id, new RpcError(RpcError.INVALID_REQUEST, "method must be a string")));
    }
    String name = methodNode.asText();
    long started = System.nanoTime();
    Supplier<JsonNode> result;
    try {
      RpcMethods.Method method = methods.get(name);
      if (method == null) {
        throw new RpcError(RpcError.METHOD_NOT_FOUND, "method '" + name + "' does not exist");
      }
      result = method.start(new Params(request.get("params")), session);
    } catch (RuntimeException e) {
      ObjectNode response = failure(id, name, started, e);
      return () -> notification ? null : response;
    }
    return () -> finish(id, notification, name, started, result);
  }

  private static Supplier<ObjectNode> answered(ObjectNode response) {
    return () -> response;
  }

  private ObjectNode finish(JsonNode id, boolean notification, String name, long started, Supplier<JsonNode> pending) {
    ObjectNode response;
    try {
      JsonNode result = pending.get();
      response = JSON.objectNode().put("jsonrpc", "2.0");
      response.set("id", id);
      response.set("result", result);
      metrics.rpcRequest(name, true, System.nanoTime() - started);
    } catch (RuntimeException e) {
      response = failure(id, name, started, e);
    }
    return notification ? null : response;
  }

  /** The error response for a call that threw, counted as failed. */
  private ObjectNode failure(JsonNode id, String name, long started, RuntimeException thrown) {
    ObjectNode response;
    if (thrown instanceof RpcError e) {
      response = error(id, e);
    } else if (thrown instanceof AdmissionException e) {
      ObjectNode data = JSON.objectNode().put("reason", e.reason().label());
      e.txId().ifPresent(txId -> data.put("hash", txId.toHex()));
      response = error(id, new RpcError(e.reason().code(), e.getMessage(), data));
    } else if (thrown instanceof DecodingException || thrown instanceof IllegalArgumentException) {
      response = error(id, RpcError.invalidParams(thrown.getMessage()));
    } else {
      LOG.error("internal error in {}", name, thrown);
      response = error(id, new RpcError(RpcError.INTERNAL_ERROR, "internal error: " + thrown.getClass().getSimpleName()));
    }
    metrics.rpcRequest(name, false, System.nanoTime() - started);
    return response;
  }

  static ObjectNode error(JsonNode id, RpcError error) {
    ObjectNode response = JSON.objectNode().put("jsonrpc", "2.0");
    response.set("id", id == null ? JSON.nullNode() : id);
    ObjectNode body = response.putObject("error");
    body.put("code", error.code());
    body.put("message", error.getMessage());
    if (error.data() != null) {
      body.set("data", error.data());
    }
    return response;
  }

  String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }
}
