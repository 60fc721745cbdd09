package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.bundles.BundleStatus;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.bundles.BundleService;
import dev.tandem.node.mempool.RejectionLog;
import dev.tandem.node.store.NodeStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** The JSON-RPC method table. Each method runs on a worker thread and may block. */
final class RpcMethods {
  @FunctionalInterface
  interface Method {
    JsonNode call(Params params, RpcSession session);

    /**
     * Starts the call; the returned supplier gives its result. A method whose slow part can be
     * shared by the calls of one batch (a durable write) does the quick part here and waits in the
     * supplier; every other method runs whole here. Both may throw the call's error.
     */
    default Supplier<JsonNode> start(Params params, RpcSession session) {
      JsonNode result = call(params, session);
      return () -> result;
    }

    /**
     * Runs once before the calls of a JSON-RPC batch start, with the params of this method's calls
     * in it: work cheaper done for all of them at once goes here. Returns what to run once every
     * call of the batch has started. Never throws; each call still reports its own errors.
     */
    default Runnable prepareBatch(List<Params> calls) {
      return () -> {};
    }
  }

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final RpcBackend node;
  private final Map<String, Method> methods = new LinkedHashMap<>();

  RpcMethods(RpcBackend node) {
    this.node = node;
    methods.put("tandem_chainId", (p, s) -> {
      p.expect(0, 0);
      return TextNode.valueOf(Hex.quantity(node.config().chainId()));
    });
    methods.put("tandem_blockNumber", (p, s) -> {
      p.expect(0, 0);
      return TextNode.valueOf(Hex.quantity(node.finalizedHeight()));
    });
    methods.put("tandem_feePerByte", (p, s) -> {
      p.expect(0, 0);
      return TextNode.valueOf(Hex.quantity(node.config().minFeePerByte()));
    });
    methods.put("tandem_getNonce", (p, s) -> {
      p.expect(1, 1);
      return TextNode.valueOf(Hex.quantity(node.nextNonce(p.publicKey(0, "sender"))));
    });
    methods.put("tandem_sendRawTransaction", new Method() {
      @Override
      public JsonNode call(Params params, RpcSession session) {
        return start(params, session).get();
      }

      @Override
      public Supplier<JsonNode> start(Params params, RpcSession session) {
        params.expect(1, 1);
        Supplier<Transaction> durable = node.startSubmitHex(params.text(0, "transaction hex"));
        return () -> TextNode.valueOf(durable.get().id().toHex());
      }

      @Override
      public Runnable prepareBatch(List<Params> calls) {
        List<String> hexes = new ArrayList<>(calls.size());
        for (Params params : calls) {
          try {
            hexes.add(params.text(0, "transaction hex"));
          } catch (RuntimeException malformed) {
            // its own call reports it
          }
        }
        return node.prepareSubmissions(hexes);
      }
    });
    methods.put("tandem_getTransactionReceipt", (p, s) -> {
      p.expect(1, 1);
      return receipt(p.hash(0, "transaction hash"));
    });
    methods.put("tandem_getBlockByHeight", (p, s) -> {
      p.expect(1, 2);
      long height = p.quantity(0, "height");
      boolean full = p.bool(1, false);
      return node.block(height).<JsonNode>map(b -> JsonViews.block(b, full)).orElse(NullNode.instance);
    });
    methods.put("tandem_getNamespaceSlice", (p, s) -> {
      p.expect(2, 2);
      long height = p.quantity(0, "height");
      Namespace namespace = p.namespace(1);
      return node.block(height).<JsonNode>map(b -> JsonViews.slice(b, b.slice(namespace))).orElse(NullNode.instance);
    });
    methods.put("tandem_sendBundle", (p, s) -> {
      p.expect(1, 1);
      String hex = p.text(0, "bundle hex");
      return JsonViews.bundleStatus(bundleCall(RpcError.BUNDLE_REJECTED, () -> node.bundles().submitHex(hex)), List.of());
    });
    methods.put("tandem_getBundleStatus", (p, s) -> {
      p.expect(1, 2);
      Hash key = p.hash(0, "bundle key");
      Optional<BundleService.StatusView> view = p.size() == 2
          ? node.bundles().statusById(key, p.hash(1, "bundle id"))
          : node.bundles().status(key);
      return view.<JsonNode>map(v -> JsonViews.bundleStatus(v.status(), v.receipts())).orElse(NullNode.instance);
    });
    methods.put("tandem_cancelBundle", (p, s) -> {
      p.expect(1, 1);
      String hex = p.text(0, "cancel hex");
      return JsonViews.bundleStatus(bundleCall(RpcError.BAD_CANCEL, () -> node.bundles().cancelHex(hex)), List.of());
    });
    VerificationMethods.register(node, methods);
    methods.put("tandem_getEquivocations", (p, s) -> {
      p.expect(0, 0);
      var out = JSON.arrayNode();
      for (var evidence : node.equivocations()) {
        out.addObject().put("view", Hex.quantity(evidence.view())).put("validator", evidence.leader().toHex())
            .put("blockA", evidence.blockA().toHex()).put("blockB", evidence.blockB().toHex())
            .put("evidence", Hex.encode(evidence.encode()));
      }
      return out;
    });
    methods.put("tandem_subscribe", (p, s) -> subscribe(p, s));
    methods.put("tandem_unsubscribe", (p, s) -> {
      p.expect(1, 1);
      requireSession(s);
      return BooleanNode.valueOf(s.unsubscribe(p.text(0, "subscription id")));
    });
    if (node.config().adminEnabled()) {
      methods.put("admin_nodeInfo", (p, s) -> {
        p.expect(0, 0);
        ObjectNode out = JSON.objectNode();
        out.put("nodeKey", node.nodeKey().toHex());
        out.put("chainId", Hex.quantity(node.config().chainId()));
        out.put("dataDir", node.config().dataDir().toString());
        out.put("finalizedHeight", Hex.quantity(node.finalizedHeight()));
        out.put("mempoolSize", node.mempoolSize());
        return out;
      });
      methods.put("admin_pendingTransactions", (p, s) -> {
        p.expect(0, 0);
        var out = JSON.arrayNode();
        node.pendingIds().forEach(id -> out.add(id.toHex()));
        return out;
      });
    }
  }

  Set<String> names() {
    return methods.keySet();
  }

  Method get(String name) {
    return methods.get(name);
  }

  /** Runs a bundle call; a refusal becomes {@code rejectedCode} (or malformed-bundle) with the reason as data. */
  private static BundleStatus bundleCall(int rejectedCode, Supplier<BundleStatus> call) {
    try {
      return call.get();
    } catch (BundleService.BundleRejected e) {
      int code = e.malformed() && rejectedCode == RpcError.BUNDLE_REJECTED ? RpcError.MALFORMED_BUNDLE : rejectedCode;
      throw new RpcError(code, e.getMessage(), JSON.objectNode().put("reason", e.getMessage()));
    }
  }

  private JsonNode receipt(Hash id) {
    Optional<NodeStore.TxLocation> location = node.locate(id);
    ObjectNode out = JSON.objectNode();
    out.put("hash", id.toHex());
    if (location.isPresent()) {
      NodeStore.TxLocation at = location.get();
      out.put("status", "finalized");
      out.put("blockHeight", Hex.quantity(at.height()));
      node.header(at.height()).ifPresent(h -> out.put("blockHash", h.hash().toHex()));
      out.put("index", Hex.quantity(at.index()));
      out.put("namespace", Namespace.of(at.namespace()).toHex());
      return out;
    }
    Optional<Transaction> pending = node.pending(id);
    if (pending.isPresent()) {
      Transaction tx = pending.get();
      out.put("status", "pending");
      out.putNull("blockHeight");
      out.putNull("index");
      out.put("namespace", tx.namespace().toHex());
      out.put("sender", tx.sender().toHex());
      out.put("nonce", Hex.quantity(tx.nonce()));
      // false while an earlier nonce of the sender is missing: the transaction waits for the gap to fill.
      out.put("orderable", node.isOrderable(tx));
      return out;
    }
    Optional<RejectionLog.Rejection> rejection = node.rejection(id);
    if (rejection.isPresent()) {
      out.put("status", "rejected");
      out.putNull("blockHeight");
      out.putNull("index");
      out.put("reason", rejection.get().message());
      out.put("code", rejection.get().reason().code());
      out.put("reasonCode", rejection.get().reason().label());
      return out;
    }
    return NullNode.instance;
  }

  private JsonNode subscribe(Params p, RpcSession session) {
    p.expect(1, 2);
    requireSession(session);
    JsonNode first = p.get(0);
    // Accept both ["newBlocks"] / ["namespace", ns] as params, and a single nested array.
    Params args = first.isArray() ? new Params(first) : p;
    String kind = args.text(0, "subscription kind");
    switch (kind) {
      case "newBlocks":
        args.expect(1, 1);
        return TextNode.valueOf(session.subscribe(null));
      case "namespace":
        args.expect(2, 2);
        return TextNode.valueOf(session.subscribe(args.namespace(1)));
      default:
        throw RpcError.invalidParams("unknown subscription '" + kind + "'; use \"newBlocks\" or \"namespace\"");
    }
  }

  private static void requireSession(RpcSession session) {
    if (session == null) {
      throw new RpcError(RpcError.SUBSCRIPTIONS_NEED_WEBSOCKET, "subscriptions need a WebSocket connection at /ws");
    }
  }

  /** The notification payload for a block: the header and tx hashes. */
  static JsonNode newBlock(Block block) {
    return JsonViews.block(block, false);
  }

  static JsonNode slice(Block block, Namespace namespace) {
    return JsonViews.slice(block, block.slice(namespace));
  }
}
