package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;

/** Positional JSON-RPC params with checks that fail as "invalid params" naming the position. */
final class Params {
  private final JsonNode array;

  Params(JsonNode params) {
    if (params == null || params.isNull()) {
      this.array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    } else if (params.isArray()) {
      this.array = params;
    } else {
      throw RpcError.invalidParams("params must be an array of positional parameters");
    }
  }

  int size() {
    return array.size();
  }

  void expect(int min, int max) {
    if (array.size() < min || array.size() > max) {
      throw RpcError.invalidParams(min == max ? "expected " + min + " params, got " + array.size()
          : "expected " + min + " to " + max + " params, got " + array.size());
    }
  }

  JsonNode get(int index) {
    return array.get(index);
  }

  String text(int index, String what) {
    JsonNode node = array.get(index);
    if (node == null || !node.isTextual()) {
      throw RpcError.invalidParams("param " + index + " (" + what + ") must be a string");
    }
    return node.asText();
  }

  long quantity(int index, String what) {
    JsonNode node = array.get(index);
    if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
      return node.asLong();
    }
    try {
      return Hex.parseQuantity(text(index, what));
    } catch (DecodingException e) {
      throw RpcError.invalidParams("param " + index + " (" + what + "): " + e.getMessage());
    }
  }

  Hash hash(int index, String what) {
    String text = text(index, what);
    try {
      return Hash.fromHex(text);
    } catch (DecodingException e) {
      throw RpcError.invalidParams("param " + index + " (" + what + ") must be 32 bytes of 0x-hex: " + e.getMessage());
    }
  }

  Namespace namespace(int index) {
    JsonNode node = array.get(index);
    if (node != null && node.isIntegralNumber() && node.canConvertToLong() && node.asLong() >= 0) {
      return Namespace.of(node.asLong());
    }
    try {
      return Namespace.parse(text(index, "namespace"));
    } catch (DecodingException e) {
      throw RpcError.invalidParams("param " + index + " (namespace): " + e.getMessage());
    }
  }

  PublicKey publicKey(int index, String what) {
    try {
      return PublicKey.fromHex(text(index, what));
    } catch (DecodingException e) {
      throw RpcError.invalidParams("param " + index + " (" + what + ") must be a 32-byte 0x-hex key: " + e.getMessage());
    }
  }

  boolean bool(int index, boolean fallback) {
    JsonNode node = array.get(index);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw RpcError.invalidParams("param " + index + " must be true or false");
    }
    return node.asBoolean();
  }
}
