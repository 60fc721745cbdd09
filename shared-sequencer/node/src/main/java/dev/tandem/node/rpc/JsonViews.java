package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.bundles.BundleState;
import dev.tandem.bundles.BundleStatus;
import dev.tandem.bundles.LegRef;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hex;
import dev.tandem.core.NamespaceProof;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.NmtNode;
import dev.tandem.core.Transaction;
import java.util.List;

/** The JSON shapes of the API: numbers as 0x quantities and bytes as 0x hex, as Ethereum JSON-RPC writes them. */
final class JsonViews {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private JsonViews() {}

  static ObjectNode header(BlockHeader header) {
    ObjectNode out = JSON.objectNode();
    out.put("hash", header.hash().toHex());
    out.put("height", Hex.quantity(header.height()));
    out.put("chainId", Hex.quantity(header.chainId()));
    out.put("parentHash", header.parentHash().toHex());
    out.put("timestamp", Hex.quantity(header.timestampMillis()));
    out.put("proposer", header.proposer().toHex());
    out.put("namespaceRoot", header.namespaceRoot().toHex());
    out.put("txCount", Hex.quantity(header.txCount()));
    return out;
  }

  static ObjectNode block(Block block, boolean fullTransactions) {
    ObjectNode out = header(block.header());
    ArrayNode txs = out.putArray("transactions");
    int index = 0;
    for (Transaction tx : block.transactions()) {
      if (fullTransactions) {
        txs.add(transaction(tx).put("index", Hex.quantity(index)));
      } else {
        txs.add(tx.id().toHex());
      }
      index++;
    }
    return out;
  }

  static ObjectNode transaction(Transaction tx) {
    ObjectNode out = JSON.objectNode();
    out.put("hash", tx.id().toHex());
    out.put("chainId", Hex.quantity(tx.chainId()));
    out.put("namespace", tx.namespace().toHex());
    out.put("sender", tx.sender().toHex());
    out.put("nonce", Hex.quantity(tx.nonce()));
    out.put("fee", Hex.quantity(tx.fee()));
    out.put("payload", Hex.encode(tx.payload()));
    out.put("signature", Hex.encode(tx.signature()));
    out.put("raw", Hex.encode(tx.encode()));
    return out;
  }

  /** A slice with everything needed to verify it: the header, the raw envelopes and the proof (binary and JSON). */
  static ObjectNode slice(Block block, NamespaceSlice slice) {
    ObjectNode out = JSON.objectNode();
    out.put("height", Hex.quantity(slice.height()));
    out.put("namespace", slice.namespace().toHex());
    out.put("blockHash", block.hash().toHex());
    out.set("header", header(block.header()));
    out.put("headerRaw", Hex.encode(block.header().encode()));
    ArrayNode txs = out.putArray("transactions");
    for (Transaction tx : slice.transactions()) {
      txs.add(Hex.encode(tx.encode()));
    }
    NamespaceProof proof = slice.proof();
    out.put("proof", Hex.encode(proof.encode()));
    ObjectNode proofJson = out.putObject("proofJson");
    proofJson.put("start", proof.start());
    proofJson.put("end", proof.end());
    ArrayNode siblings = proofJson.putArray("siblings");
    for (NmtNode node : proof.siblings()) {
      ObjectNode sibling = siblings.addObject();
      sibling.put("minNamespace", String.format("0x%016x", node.minNamespace()));
      sibling.put("maxNamespace", String.format("0x%016x", node.maxNamespace()));
      sibling.put("hash", node.hash().toHex());
    }
    return out;
  }

  /** A bundle status as tandem_getBundleStatus returns it (docs/json-rpc.md). */
  static ObjectNode bundleStatus(BundleStatus status, List<BundleReceipt> receipts) {
    ObjectNode out = JSON.objectNode();
    out.put("bundleKey", status.bundleKey().toHex());
    if (status.bundleId() == null) {
      out.putNull("bundleId");
    } else {
      out.put("bundleId", status.bundleId().toHex());
    }
    out.put("revision", Hex.quantity(status.revision()));
    out.put("status", status.state().name().toLowerCase(java.util.Locale.ROOT));
    out.put("reason", status.reason());
    if (status.state() == BundleState.INCLUDED) {
      out.put("blockHeight", Hex.quantity(status.includedHeight()));
      out.put("blockHash", status.includedBlockHash().toHex());
    }
    ArrayNode legs = out.putArray("legs");
    for (int i = 0; i < status.legs().size(); i++) {
      LegRef leg = status.legs().get(i);
      legs.addObject().put("index", i).put("namespace", leg.namespace().toHex()).put("txHash", leg.txId().toHex());
    }
    if (!receipts.isEmpty()) {
      ArrayNode encoded = out.putArray("receipts");
      receipts.forEach(receipt -> encoded.add(Hex.encode(receipt.encode())));
    }
    return out;
  }
}
