package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.opstack.JsonRpcL2EngineView;
import dev.tandem.adapters.opstack.L2EngineView;
import dev.tandem.adapters.opstack.StaticL2EngineView;
import java.net.URI;
import java.time.Duration;

/** Where an OP Stack rollup's L2 block attributes come from (the {@code engine} of an opstack rollup). */
public sealed interface EngineSpec {
  L2EngineView open();

  /** The rollup's execution client over Ethereum JSON-RPC (see {@link JsonRpcL2EngineView}). */
  record JsonRpc(URI url, Duration timeout) implements EngineSpec {
    @Override
    public L2EngineView open() {
      return new JsonRpcL2EngineView(url, timeout);
    }
  }

  /** Fixed, made-up attributes for devnets and tests (see {@link StaticL2EngineView}); never for a real rollup. */
  record Static(long l1OriginNumber, byte[] l1OriginHash, long genesisTimestamp, long blockTimeSeconds)
      implements EngineSpec {
    public Static {
      l1OriginHash = l1OriginHash.clone();
    }

    @Override
    public byte[] l1OriginHash() {
      return l1OriginHash.clone();
    }

    @Override
    public L2EngineView open() {
      return new StaticL2EngineView(l1OriginNumber, l1OriginHash, genesisTimestamp, blockTimeSeconds);
    }
  }

  static EngineSpec parse(Fields f) {
    String type = f.choice("type", null, "json-rpc", "static");
    EngineSpec spec = switch (type) {
      case "json-rpc" -> new JsonRpc(f.url("url"), Duration.ofMillis(f.integer("timeoutMillis", 10_000, 100, 600_000)));
      case "static" -> new Static(f.integer("l1OriginNumber", 0, 0, Long.MAX_VALUE),
          f.has("l1OriginHash") ? f.hex("l1OriginHash", 32) : new byte[32],
          f.integer("genesisTimestamp", 0, 0, Long.MAX_VALUE / 2), f.integer("blockTimeSeconds", 2, 1, 3600));
      default -> throw new IllegalStateException(type);
    };
    f.done();
    return spec;
  }
}
