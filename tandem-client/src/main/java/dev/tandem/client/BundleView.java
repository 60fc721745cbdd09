package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.bundles.BundleCodec;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import java.util.ArrayList;
import java.util.List;

/**
 * A bundle's status as a node reports it ({@code tandem_getBundleStatus}): {@code status} is one of
 * pending, included, expired, replaced, cancelled, rejected. {@code blockHeight} is -1 and
 * {@code blockHash} null unless included; {@code receipts} (one per leg, each provable against the
 * block header with {@link BundleReceipt#verify}) are filled only by status queries of an included bundle.
 */
public record BundleView(Hash bundleKey, Hash bundleId, long revision, String status, String reason, long blockHeight,
    Hash blockHash, List<BundleReceipt> receipts) {
  public BundleView {
    receipts = List.copyOf(receipts);
  }

  /** Whether the status can no longer change (anything but pending). */
  public boolean isFinal() {
    return !"pending".equals(status);
  }

  public boolean isIncluded() {
    return "included".equals(status);
  }

  static BundleView fromJson(JsonNode json) {
    JsonNode id = json.path("bundleId");
    JsonNode hash = json.path("blockHash");
    List<BundleReceipt> receipts = new ArrayList<>();
    for (JsonNode receipt : json.path("receipts")) {
      receipts.add(BundleCodec.decodeReceipt(Hex.decode(receipt.asText())));
    }
    return new BundleView(Hash.fromHex(json.path("bundleKey").asText()),
        id.isTextual() ? Hash.fromHex(id.asText()) : null,
        Hex.parseQuantity(json.path("revision").asText("0x0")),
        json.path("status").asText(), json.path("reason").asText(""),
        json.hasNonNull("blockHeight") ? Hex.parseQuantity(json.get("blockHeight").asText()) : -1,
        hash.isTextual() ? Hash.fromHex(hash.asText()) : null, receipts);
  }
}
