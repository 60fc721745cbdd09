package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.opstack.ChannelCompression;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Namespace;
import java.net.URI;

/** One entry of {@code rollups}: which namespace goes to which adapter, and its settings. */
public sealed interface RollupSpec {
  Namespace namespace();

  /** {@code generic}, {@code opstack} or {@code evm}, as written in the config. */
  String kind();

  /** Generic batches of {@code maxBlocks} blocks / {@code maxBytes} at most, posted to the DA layer {@code da}. */
  record Generic(Namespace namespace, String da, int maxBlocks, int maxBytes) implements RollupSpec {
    @Override
    public String kind() {
      return "generic";
    }
  }

  /**
   * OP Stack batcher frames posted to the DA layer {@code da}: as calldata payloads
   * ({@code submission: calldata}, frames up to 120,000 bytes) or sized for one EIP-4844 blob each
   * ({@code submission: blobs}). L2 block numbers start at {@code firstL2Block}.
   */
  record OpStack(Namespace namespace, String da, long l2ChainId, ChannelCompression compression, boolean blobs,
      long firstL2Block, int maxBlocksPerChannel, EngineSpec engine) implements RollupSpec {
    @Override
    public String kind() {
      return "opstack";
    }
  }

  /**
   * Direct delivery of raw signed transactions to the rollup node at {@code rpcUrl}; with
   * {@code simulate}, the node's atomic-bundle pre-check runs legs of this namespace there too.
   */
  record Evm(Namespace namespace, URI rpcUrl, long chainId, boolean simulate) implements RollupSpec {
    @Override
    public String kind() {
      return "evm";
    }
  }

  static RollupSpec parse(Fields f) {
    Namespace namespace = namespace(f);
    String kind = f.choice("kind", null, "generic", "opstack", "evm");
    RollupSpec spec = switch (kind) {
      case "generic" -> new Generic(namespace, f.text("da"), (int) f.integer("maxBlocks", 64, 1, 100_000),
          (int) f.integer("maxBytes", 512 * 1024, 1024, 64 << 20));
      case "opstack" -> new OpStack(namespace, f.text("da"), f.integer("l2ChainId", 1, Long.MAX_VALUE),
          ChannelCompression.valueOf(f.choice("compression", "zlib", "zlib", "brotli").toUpperCase(java.util.Locale.ROOT)),
          f.choice("submission", null, "blobs", "calldata").equals("blobs"),
          f.integer("firstL2Block", 1, 0, Long.MAX_VALUE / 2), (int) f.integer("maxBlocksPerChannel", 64, 1, 10_000),
          EngineSpec.parse(f.object("engine")));
      case "evm" -> new Evm(namespace, f.url("rpcUrl"), f.integer("chainId", 1, Long.MAX_VALUE), f.bool("simulate", false));
      default -> throw new IllegalStateException(kind);
    };
    f.done();
    return spec;
  }

  private static Namespace namespace(Fields f) {
    com.fasterxml.jackson.databind.JsonNode raw = f.raw("namespace");
    if (raw == null) {
      throw f.error("namespace", "is required (a number, or 0x-hex up to 16 digits)");
    }
    Namespace namespace;
    try {
      namespace = raw.isIntegralNumber() && raw.canConvertToLong() ? Namespace.of(raw.asLong())
          : raw.isTextual() ? Namespace.parse(raw.asText()) : null;
    } catch (DecodingException e) {
      throw f.error("namespace", "is not a namespace: " + e.getMessage());
    }
    if (namespace == null || raw.isIntegralNumber() && raw.asLong() < 0) {
      throw f.error("namespace", "must be an unsigned 64-bit number or 0x-hex, got " + raw);
    }
    if (namespace.equals(Namespace.SYSTEM)) {
      throw f.error("namespace", "must not be 0: it is the log's reserved system namespace");
    }
    return namespace;
  }
}
