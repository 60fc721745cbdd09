package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;

/** What the node says about one transaction. Height and index are -1 until it is finalized. */
public record TxReceipt(Hash txId, Status status, long blockHeight, long index, Namespace namespace, String reason) {
  public enum Status { PENDING, FINALIZED, REJECTED, UNKNOWN }

  static TxReceipt fromJson(Hash txId, JsonNode json) {
    Status status;
    try {
      status = Status.valueOf(json.path("status").asText("unknown").toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      status = Status.UNKNOWN;
    }
    long height = json.hasNonNull("blockHeight") ? Hex.parseQuantity(json.get("blockHeight").asText()) : -1;
    long index = json.hasNonNull("index") ? Hex.parseQuantity(json.get("index").asText()) : -1;
    Namespace namespace = json.hasNonNull("namespace") ? Namespace.parse(json.get("namespace").asText()) : null;
    String reason = json.hasNonNull("reason") ? json.get("reason").asText() : null;
    return new TxReceipt(txId, status, height, index, namespace, reason);
  }
}
