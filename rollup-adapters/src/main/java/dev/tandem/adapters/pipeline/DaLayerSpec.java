package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.opstack.BatchInbox;
import dev.tandem.da.DaLayer;
import dev.tandem.da.celestia.CelestiaDa;
import dev.tandem.da.eth.EthereumDa;
import dev.tandem.da.local.LocalDa;
import dev.tandem.da.local.LocalDaHttpClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One named DA layer of the {@code daLayers} section: what to connect to and what it may spend.
 * Parsing only validates; {@link #open} connects (and reads key files), so a config can be checked
 * without its secrets.
 */
public sealed interface DaLayerSpec {
  /** The layer's name in {@code daLayers}, which rollups refer to. */
  String name();

  /**
   * Opens the client.
   *
   * @param stateDir a directory of this layer's own for send journals (idempotency across restarts)
   */
  DaLayer open(Path stateDir);

  /** The embedded LMDB blob store in {@code dir}. */
  record Local(String name, Path dir) implements DaLayerSpec {
    @Override
    public DaLayer open(Path stateDir) {
      return LocalDa.open(dir);
    }
  }

  /** A local DA served over HTTP by {@code tandem dev} or {@code tandem da serve}. */
  record LocalHttp(String name, URI url, Duration timeout) implements DaLayerSpec {
    @Override
    public DaLayer open(Path stateDir) {
      return new LocalDaHttpClient(url, timeout);
    }
  }

  /**
   * Ethereum L1: EIP-4844 blobs or calldata of type-2 transactions to {@code inbox}, signed with the
   * key in {@code privateKeyFile}, never paying more than the caps (wei per gas).
   */
  record Ethereum(String name, EthereumDa.Mode mode, URI rpcUrl, long chainId, Path privateKeyFile, String inbox,
      BigInteger maxFeePerGasWei, BigInteger maxPriorityFeePerGasWei, BigInteger maxFeePerBlobGasWei,
      Duration inclusionTimeout) implements DaLayerSpec {
    @Override
    public DaLayer open(Path stateDir) {
      String key = readSecret(name, "privateKeyFile", privateKeyFile);
      if (!key.matches("(0x)?[0-9a-fA-F]{64}")) {
        throw new SpecException("DA layer '" + name + "': privateKeyFile " + privateKeyFile
            + " does not hold a 32-byte hex private key (64 hex digits, optionally 0x-prefixed)");
      }
      return new EthereumDa(new EthereumDa.Config(rpcUrl.toString(), chainId, key, inbox, mode, maxFeePerGasWei,
          maxPriorityFeePerGasWei, maxFeePerBlobGasWei, inclusionTimeout, stateDir.resolve("send-journal")));
    }

    /** The same layer posting in another mode (OP Stack blobs go out RAW_BLOBS). */
    public Ethereum withMode(EthereumDa.Mode newMode) {
      return new Ethereum(name, newMode, rpcUrl, chainId, privateKeyFile, inbox, maxFeePerGasWei,
          maxPriorityFeePerGasWei, maxFeePerBlobGasWei, inclusionTimeout);
    }
  }

  /** A celestia-node's blob API; {@code authTokenFile} null for a node run without auth. */
  record Celestia(String name, URI url, Path authTokenFile, int namespacePrefix, double gasPrice, double maxGasPrice)
      implements DaLayerSpec {
    @Override
    public DaLayer open(Path stateDir) {
      String token = authTokenFile == null ? "" : readSecret(name, "authTokenFile", authTokenFile);
      CelestiaDa.Config defaults = CelestiaDa.Config.defaults(url, token, stateDir);
      return new CelestiaDa(new CelestiaDa.Config(url, token, namespacePrefix, gasPrice, maxGasPrice,
          defaults.requestTimeout(), defaults.submitTimeout(), defaults.retry(), stateDir, defaults.maxBlobBytes(),
          defaults.maxResponseBytes(), defaults.reconcileWindowBlocks()));
    }
  }

  private static String readSecret(String layer, String field, Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      throw new SpecException("DA layer '" + layer + "': " + field + " " + file + " cannot be read ("
          + e.getMessage() + "); create it or fix the path");
    }
  }

  /** Parses {@code daLayers.<name>}; relative paths resolve against {@code base}. */
  static DaLayerSpec parse(String name, Fields f, Path base) {
    String type = f.choice("type", null, "local", "local-http", "ethereum-blobs", "ethereum-calldata", "celestia");
    DaLayerSpec spec = switch (type) {
      case "local" -> new Local(name, f.file("dir", base));
      case "local-http" -> new LocalHttp(name, f.url("url"),
          Duration.ofMillis(f.integer("timeoutMillis", 10_000, 100, 600_000)));
      case "ethereum-blobs", "ethereum-calldata" -> ethereum(name, f, base,
          type.equals("ethereum-blobs") ? EthereumDa.Mode.BLOBS : EthereumDa.Mode.CALLDATA);
      case "celestia" -> celestia(name, f, base);
      default -> throw new IllegalStateException(type);
    };
    f.done();
    return spec;
  }

  private static Ethereum ethereum(String name, Fields f, Path base, EthereumDa.Mode mode) {
    URI rpcUrl = f.url("rpcUrl");
    long chainId = f.integer("chainId", 1, Long.MAX_VALUE);
    Path keyFile = f.file("privateKeyFile", base);
    boolean hasInbox = f.has("inbox");
    boolean hasL2 = f.has("l2ChainId");
    if (hasInbox == hasL2) {
      throw f.error("inbox", "or 'l2ChainId': set exactly one, the inbox address or the OP Stack L2 chain id "
          + "whose standard inbox (0x00 ++ keccak256(chainId)[0:19]) receives the data");
    }
    String inbox = hasInbox ? "0x" + java.util.HexFormat.of().formatHex(f.hex("inbox", 20))
        : BatchInbox.addressHex(f.integer("l2ChainId", 1, Long.MAX_VALUE));
    BigInteger maxFee = f.amount("maxFeePerGasWei");
    BigInteger priority = f.amount("maxPriorityFeePerGasWei");
    if (priority.compareTo(maxFee) > 0) {
      throw f.error("maxPriorityFeePerGasWei", "(" + priority + ") must not exceed maxFeePerGasWei (" + maxFee + ")");
    }
    BigInteger blobFee = mode == EthereumDa.Mode.BLOBS ? f.amount("maxFeePerBlobGasWei") : BigInteger.ZERO;
    if (mode == EthereumDa.Mode.CALLDATA && f.has("maxFeePerBlobGasWei")) {
      throw f.error("maxFeePerBlobGasWei", "applies only to type ethereum-blobs; remove it");
    }
    Duration timeout = Duration.ofSeconds(f.integer("inclusionTimeoutSeconds", 120, 1, 3600));
    return new Ethereum(name, mode, rpcUrl, chainId, keyFile, inbox, maxFee, priority, blobFee, timeout);
  }

  private static Celestia celestia(String name, Fields f, Path base) {
    URI url = f.url("url");
    Path token = f.has("authTokenFile") ? f.file("authTokenFile", base) : null;
    int prefix = (int) f.integer("namespacePrefix", 0x5444, 0, 0xFFFF);
    double maxGasPrice = f.decimal("maxGasPrice", 0.2);
    if (!(maxGasPrice > 0) || !Double.isFinite(maxGasPrice)) {
      throw f.error("maxGasPrice", "(utia per gas) must be positive, got " + maxGasPrice);
    }
    double gasPrice = f.decimal("gasPrice", CelestiaDa.NODE_ESTIMATES_GAS_PRICE);
    if (gasPrice != CelestiaDa.NODE_ESTIMATES_GAS_PRICE && !(gasPrice >= 0 && gasPrice <= maxGasPrice)) {
      throw f.error("gasPrice", "must be 0 to maxGasPrice (" + maxGasPrice + ") utia per gas, or -1 to let the node "
          + "estimate it, got " + gasPrice);
    }
    return new Celestia(name, url, token, prefix, gasPrice, maxGasPrice);
  }
}
