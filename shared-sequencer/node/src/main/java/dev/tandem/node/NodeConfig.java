package dev.tandem.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.adapters.pipeline.PipelineSpec;
import dev.tandem.adapters.pipeline.SpecException;
import dev.tandem.core.Transaction;
import dev.tandem.p2p.Multiaddr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a node is configured with. Immutable; every instance is validated when it is built,
 * so a node never starts on a bad value. Files are JSON, or YAML when the name ends in
 * {@code .yaml}/{@code .yml}; keys are the component names below, every key is optional (absent
 * keys take {@link #defaults(Path)}'s value), unknown keys are errors, and a relative
 * {@code dataDir} is resolved against the file's directory.
 *
 * @param chainId the sequencer network's id; transactions for another chain are rejected
 * @param dataDir the node's directory: LMDB environment and node key
 * @param rpcHost address the JSON-RPC/WebSocket/metrics server binds (loopback by default)
 * @param rpcPort its port; 0 picks a free one (see {@link TandemNode#rpcUrl()})
 * @param blockInterval how often the single-node orderer cuts a block when transactions wait
 * @param maxTxPayloadBytes largest transaction payload admitted
 * @param maxRpcBodyBytes largest HTTP request body or WebSocket message
 * @param maxBlockBytes largest encoded block the orderer cuts
 * @param maxBlockTxs most transactions in one block
 * @param minFeePerByte a transaction's fee must be at least this times its encoded size
 * @param mempoolCapacity most pending transactions held
 * @param perSenderPendingLimit most pending transactions per sender (also bounds nonce gaps)
 * @param rejectedRetention how long a rejection reason stays visible in receipts
 * @param lmdbMapSizeBytes LMDB map size (the store's maximum size on disk)
 * @param metricsEnabled serve {@code GET /metrics}
 * @param healthEnabled serve {@code GET /health}
 * @param adminEnabled serve the {@code admin_*} JSON-RPC methods (off by default: they expose node internals)
 * @param p2pListen libp2p listen multiaddr, e.g. {@code /ip4/127.0.0.1/tcp/9000} (port 0 picks a free one);
 *     {@code null} runs the node without p2p
 * @param bootstrapPeers multiaddrs ending in {@code /p2p/<peer id>} that the node dials and keeps
 *     connected (retrying with backoff); needs {@code p2pListen}
 * @param adapters the rollup adapters the node runs over its own finalized log (docs/adapters.md);
 *     {@code null} runs none
 */
public record NodeConfig(
    long chainId,
    Path dataDir,
    String rpcHost,
    int rpcPort,
    Duration blockInterval,
    int maxTxPayloadBytes,
    int maxRpcBodyBytes,
    int maxBlockBytes,
    int maxBlockTxs,
    long minFeePerByte,
    int mempoolCapacity,
    int perSenderPendingLimit,
    Duration rejectedRetention,
    long lmdbMapSizeBytes,
    boolean metricsEnabled,
    boolean healthEnabled,
    boolean adminEnabled,
    String p2pListen,
    List<String> bootstrapPeers,
    Consensus consensus,
    PipelineSpec adapters) {

  /** One member of the sequencer set. */
  public record Validator(dev.tandem.core.PublicKey publicKey, long stake) {}

  /**
   * BFT consensus among {@code validators} (docs/consensus.md); absent means the single-node
   * orderer. {@code baseTimeout} is a view's timeout after progress (it backs off on failures).
   */
  /**
   * BFT settings. {@code compactProposals} (config {@code proposals: compact}): proposals carry
   * transaction ids, and validators rebuild the block from the transactions gossip already brought
   * them (fetching what they miss from the proposer); the default, {@code full}, sends whole blocks,
   * which measured faster at a handful of validators (docs/benchmarks.md).
   */
  public record Consensus(List<Validator> validators, Duration baseTimeout, boolean compactProposals) {
    public Consensus {
      validators = List.copyOf(validators);
    }

    /** Whole blocks in proposals, the default. */
    public Consensus(List<Validator> validators, Duration baseTimeout) {
      this(validators, baseTimeout, false);
    }
  }

  public static final long DEFAULT_CHAIN_ID = 1;
  public static final int DEFAULT_RPC_PORT = 8545;

  private static final Set<String> FIELDS = Set.of("chainId", "dataDir", "rpcHost", "rpcPort", "blockIntervalMillis",
      "maxTxPayloadBytes", "maxRpcBodyBytes", "maxBlockBytes", "maxBlockTxs", "minFeePerByte", "mempoolCapacity",
      "perSenderPendingLimit", "rejectedRetentionSeconds", "lmdbMapSizeBytes", "metricsEnabled", "healthEnabled",
      "adminEnabled", "p2pListen", "bootstrapPeers", "consensus", "adapters");

  public NodeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(rpcHost, "rpcHost");
    Objects.requireNonNull(blockInterval, "blockInterval");
    Objects.requireNonNull(rejectedRetention, "rejectedRetention");
    check(!rpcHost.isBlank(), "rpcHost", "must not be empty");
    check(rpcPort >= 0 && rpcPort <= 65535, "rpcPort", "must be 0 to 65535, got " + rpcPort);
    check(blockInterval.toMillis() >= 1 && blockInterval.toMillis() <= 60_000, "blockIntervalMillis",
        "must be 1 to 60000, got " + blockInterval.toMillis());
    check(maxTxPayloadBytes >= 1 && maxTxPayloadBytes <= Transaction.MAX_PAYLOAD_BYTES, "maxTxPayloadBytes",
        "must be 1 to " + Transaction.MAX_PAYLOAD_BYTES + ", got " + maxTxPayloadBytes);
    long largestTx = (long) Transaction.OVERHEAD_BYTES + 32 + maxTxPayloadBytes;
    // A hex-encoded transaction in a JSON-RPC envelope must fit the body limit, or large txs could never be sent.
    long minBody = 2 * largestTx + 1024;
    check(maxRpcBodyBytes >= minBody && maxRpcBodyBytes <= 64 << 20, "maxRpcBodyBytes",
        "must be " + minBody + " (room for a hex-encoded transaction of maxTxPayloadBytes) to " + (64 << 20)
            + ", got " + maxRpcBodyBytes);
    check(maxBlockBytes >= largestTx + 1024 && maxBlockBytes <= dev.tandem.core.Block.MAX_ENCODED_BYTES,
        "maxBlockBytes", "must hold at least one transaction of maxTxPayloadBytes (" + (largestTx + 1024)
            + ") and at most " + dev.tandem.core.Block.MAX_ENCODED_BYTES + ", got " + maxBlockBytes);
    check(maxBlockTxs >= 1 && maxBlockTxs <= dev.tandem.core.Block.MAX_TRANSACTIONS, "maxBlockTxs",
        "must be 1 to " + dev.tandem.core.Block.MAX_TRANSACTIONS + ", got " + maxBlockTxs);
    check(minFeePerByte >= 0 && minFeePerByte <= 1_000_000_000L, "minFeePerByte",
        "must be 0 to 1000000000, got " + minFeePerByte);
    check(mempoolCapacity >= 1 && mempoolCapacity <= 10_000_000, "mempoolCapacity",
        "must be 1 to 10000000, got " + mempoolCapacity);
    check(perSenderPendingLimit >= 1 && perSenderPendingLimit <= mempoolCapacity, "perSenderPendingLimit",
        "must be 1 to mempoolCapacity (" + mempoolCapacity + "), got " + perSenderPendingLimit);
    check(!rejectedRetention.isNegative() && rejectedRetention.toSeconds() <= 86_400, "rejectedRetentionSeconds",
        "must be 0 to 86400, got " + rejectedRetention.toSeconds());
    check(lmdbMapSizeBytes >= 16L << 20 && lmdbMapSizeBytes <= 1L << 40, "lmdbMapSizeBytes",
        "must be 16 MiB to 1 TiB, got " + lmdbMapSizeBytes);
    bootstrapPeers = List.copyOf(Objects.requireNonNull(bootstrapPeers, "bootstrapPeers"));
    if (p2pListen != null) {
      Multiaddr listen = multiaddr("p2pListen", p2pListen);
      check(listen.peerId().isEmpty(), "p2pListen", "must not name a peer id (it comes from the node key): "
          + p2pListen);
    }
    check(p2pListen != null || bootstrapPeers.isEmpty(), "bootstrapPeers", "needs p2pListen to be set");
    if (consensus != null) {
      check(p2pListen != null, "consensus", "needs p2pListen: validators talk over libp2p");
      check(!consensus.validators().isEmpty(), "consensus.validators", "must list at least one validator");
      check(consensus.baseTimeout().toMillis() >= 50 && consensus.baseTimeout().toMillis() <= 60_000,
          "consensus.baseTimeoutMillis", "must be 50 to 60000, got " + consensus.baseTimeout().toMillis());
      Set<dev.tandem.core.PublicKey> seen = new java.util.HashSet<>();
      for (Validator validator : consensus.validators()) {
        check(validator.stake() > 0, "consensus.validators", "stake must be positive for " + validator.publicKey());
        check(seen.add(validator.publicKey()), "consensus.validators", "lists " + validator.publicKey() + " twice");
      }
    }
    for (String peer : bootstrapPeers) {
      check(multiaddr("bootstrapPeers", peer).peerId().isPresent(), "bootstrapPeers",
          "entry must end in /p2p/<peer id>: " + peer);
    }
  }

  /** The config without rollup adapters. */
  public NodeConfig(long chainId, Path dataDir, String rpcHost, int rpcPort, Duration blockInterval,
      int maxTxPayloadBytes, int maxRpcBodyBytes, int maxBlockBytes, int maxBlockTxs, long minFeePerByte,
      int mempoolCapacity, int perSenderPendingLimit, Duration rejectedRetention, long lmdbMapSizeBytes,
      boolean metricsEnabled, boolean healthEnabled, boolean adminEnabled, String p2pListen,
      List<String> bootstrapPeers, Consensus consensus) {
    this(chainId, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes, maxBlockBytes,
        maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention, lmdbMapSizeBytes,
        metricsEnabled, healthEnabled, adminEnabled, p2pListen, bootstrapPeers, consensus, null);
  }

  /** The config without p2p (as before p2p existed). */
  public NodeConfig(long chainId, Path dataDir, String rpcHost, int rpcPort, Duration blockInterval,
      int maxTxPayloadBytes, int maxRpcBodyBytes, int maxBlockBytes, int maxBlockTxs, long minFeePerByte,
      int mempoolCapacity, int perSenderPendingLimit, Duration rejectedRetention, long lmdbMapSizeBytes,
      boolean metricsEnabled, boolean healthEnabled, boolean adminEnabled) {
    this(chainId, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes, maxBlockBytes,
        maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention, lmdbMapSizeBytes,
        metricsEnabled, healthEnabled, adminEnabled, null, List.of(), null);
  }

  /** Whether the node joins a libp2p network ({@code p2pListen} is set). */
  public boolean p2pEnabled() {
    return p2pListen != null;
  }

  /** Parses a TCP multiaddr ({@code /ip4|ip6|dns*}{@code /<host>/tcp/<port>[/p2p/<id>]}) or names the field. */
  private static Multiaddr multiaddr(String field, String text) {
    Multiaddr address;
    try {
      address = Multiaddr.parse(text);
    } catch (RuntimeException e) {
      throw new ConfigException("config field '" + field + "' has a bad multiaddr '" + text + "': " + e.getMessage());
    }
    List<Multiaddr.Component> parts = address.withoutPeerId().components();
    boolean tcp = parts.size() == 2 && parts.get(1).protocol() == Multiaddr.Protocol.TCP
        && switch (parts.get(0).protocol()) {
          case IP4, IP6, DNS, DNS4, DNS6 -> true;
          default -> false;
        };
    check(tcp, field, "must be a TCP multiaddr like /ip4/127.0.0.1/tcp/9000, got " + text);
    int port;
    try {
      port = Integer.parseInt(parts.get(1).value());
    } catch (NumberFormatException e) {
      port = -1;
    }
    check(port >= 0 && port <= 65535, field, "has a bad TCP port in " + text);
    return address;
  }

  private static void check(boolean ok, String field, String message) {
    if (!ok) {
      throw new ConfigException("config field '" + field + "' " + message);
    }
  }

  /** The defaults: chain 1, 127.0.0.1:8545, 200 ms blocks, 128 KiB payloads, 1 byte fee per byte. */
  public static NodeConfig defaults(Path dataDir) {
    return new NodeConfig(DEFAULT_CHAIN_ID, dataDir, "127.0.0.1", DEFAULT_RPC_PORT, Duration.ofMillis(200),
        128 * 1024, 1 << 20, 4 << 20, 10_000, 1, 100_000, 256, Duration.ofMinutes(10), 8L << 30,
        true, true, false);
  }

  /** Loads a JSON or YAML config file; throws {@link ConfigException} naming the bad field. */
  public static NodeConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
        : new ObjectMapper();
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException("config file " + file + " is not valid " + (mapper.getFactory() instanceof YAMLFactory
          ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
    }
    Path base = file.toAbsolutePath().getParent();
    return fromTree(root == null || root.isMissingNode() ? mapper.createObjectNode() : root, base);
  }

  /** Builds a config from a parsed tree; relative {@code dataDir} values resolve against {@code base}. */
  static NodeConfig fromTree(JsonNode root, Path base) {
    if (!root.isObject()) {
      throw new ConfigException("config must be an object of fields, got " + root.getNodeType());
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!FIELDS.contains(field)) {
        throw new ConfigException("config field '" + field + "' is unknown; known fields: " + new java.util.TreeSet<>(FIELDS));
      }
    }
    if (!root.hasNonNull("dataDir")) {
      throw new ConfigException("config field 'dataDir' is required");
    }
    String dir = text(root, "dataDir", null);
    Path dataDir = base.resolve(dir).normalize();
    NodeConfig d = defaults(dataDir);
    return new NodeConfig(
        longValue(root, "chainId", d.chainId),
        dataDir,
        text(root, "rpcHost", d.rpcHost),
        intValue(root, "rpcPort", d.rpcPort),
        Duration.ofMillis(longValue(root, "blockIntervalMillis", d.blockInterval.toMillis())),
        intValue(root, "maxTxPayloadBytes", d.maxTxPayloadBytes),
        intValue(root, "maxRpcBodyBytes", d.maxRpcBodyBytes),
        intValue(root, "maxBlockBytes", d.maxBlockBytes),
        intValue(root, "maxBlockTxs", d.maxBlockTxs),
        longValue(root, "minFeePerByte", d.minFeePerByte),
        intValue(root, "mempoolCapacity", d.mempoolCapacity),
        intValue(root, "perSenderPendingLimit", d.perSenderPendingLimit),
        Duration.ofSeconds(longValue(root, "rejectedRetentionSeconds", d.rejectedRetention.toSeconds())),
        longValue(root, "lmdbMapSizeBytes", d.lmdbMapSizeBytes),
        bool(root, "metricsEnabled", d.metricsEnabled),
        bool(root, "healthEnabled", d.healthEnabled),
        bool(root, "adminEnabled", d.adminEnabled),
        text(root, "p2pListen", null),
        textList(root, "bootstrapPeers"),
        consensus(root.get("consensus")),
        adapters(root.get("adapters"), base, dataDir));
  }

  /** The optional {@code adapters} section; its checkpoints default to {@code <dataDir>/adapters}. */
  private static PipelineSpec adapters(JsonNode node, Path base, Path dataDir) {
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      return PipelineSpec.parse(node, "adapters", base, dataDir.resolve("adapters"));
    } catch (SpecException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static Consensus consensus(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new ConfigException("config field 'consensus' must be an object with 'validators' and 'baseTimeoutMillis'");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!field.equals("validators") && !field.equals("baseTimeoutMillis") && !field.equals("proposals")) {
        throw new ConfigException("config field 'consensus." + field
            + "' is unknown; known: baseTimeoutMillis, proposals, validators");
      }
    }
    JsonNode list = node.get("validators");
    if (list == null || !list.isArray()) {
      throw new ConfigException("config field 'consensus.validators' must be a list of {publicKey, stake}");
    }
    List<Validator> validators = new java.util.ArrayList<>();
    for (JsonNode entry : list) {
      String key = text(entry, "publicKey", null);
      if (key == null) {
        throw new ConfigException("config field 'consensus.validators' needs a publicKey in every entry");
      }
      try {
        validators.add(new Validator(dev.tandem.core.PublicKey.fromHex(key), longValue(entry, "stake", 1)));
      } catch (dev.tandem.core.DecodingException e) {
        throw new ConfigException("config field 'consensus.validators' has a bad publicKey " + key + ": " + e.getMessage());
      }
    }
    String proposals = text(node, "proposals", "full");
    if (!proposals.equals("compact") && !proposals.equals("full")) {
      throw new ConfigException("config field 'consensus.proposals' must be \"full\" (whole blocks; the default) or "
          + "\"compact\" (transaction ids), got \"" + proposals + "\"");
    }
    return new Consensus(validators, Duration.ofMillis(longValue(node, "baseTimeoutMillis", 1000)),
        proposals.equals("compact"));
  }

  /** Whether the node orders by BFT consensus ({@code consensus} is set) rather than alone. */
  public boolean consensusEnabled() {
    return consensus != null;
  }

  private static List<String> textList(JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigException("config field '" + field + "' must be a list of strings, got " + node);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw new ConfigException("config field '" + field + "' must hold non-empty strings, got " + item);
      }
      out.add(item.asText());
    }
    return out;
  }

  private static String text(JsonNode root, String field, String fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new ConfigException("config field '" + field + "' must be a non-empty string, got " + node);
    }
    return node.asText();
  }

  private static long longValue(JsonNode root, String field, long fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new ConfigException("config field '" + field + "' must be an integer, got " + node);
    }
    return node.asLong();
  }

  private static int intValue(JsonNode root, String field, int fallback) {
    long value = longValue(root, field, fallback);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw new ConfigException("config field '" + field + "' is out of range: " + value);
    }
    return (int) value;
  }

  private static boolean bool(JsonNode root, String field, boolean fallback) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw new ConfigException("config field '" + field + "' must be true or false, got " + node);
    }
    return node.asBoolean();
  }

  /** A copy listening on {@code port} (0 for any free port). */
  public NodeConfig withRpcPort(int port) {
    return new NodeConfig(chainId, dataDir, rpcHost, port, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes,
        maxBlockBytes, maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention,
        lmdbMapSizeBytes, metricsEnabled, healthEnabled, adminEnabled, p2pListen, bootstrapPeers, consensus, adapters);
  }

  /** A copy for another chain. */
  public NodeConfig withChainId(long id) {
    return new NodeConfig(id, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes,
        maxBlockBytes, maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention,
        lmdbMapSizeBytes, metricsEnabled, healthEnabled, adminEnabled, p2pListen, bootstrapPeers, consensus, adapters);
  }

  /** A copy with p2p on {@code listen} (null: off) dialing {@code peers} (multiaddrs with /p2p/&lt;id&gt;). */
  public NodeConfig withP2p(String listen, List<String> peers) {
    return new NodeConfig(chainId, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes,
        maxBlockBytes, maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention,
        lmdbMapSizeBytes, metricsEnabled, healthEnabled, adminEnabled, listen, peers, consensus, adapters);
  }

  public NodeConfig withConsensus(Consensus settings) {
    return new NodeConfig(chainId, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes,
        maxBlockBytes, maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention,
        lmdbMapSizeBytes, metricsEnabled, healthEnabled, adminEnabled, p2pListen, bootstrapPeers, settings, adapters);
  }

  /** A copy running the rollup adapters {@code spec} describes (null: none). */
  public NodeConfig withAdapters(PipelineSpec spec) {
    return new NodeConfig(chainId, dataDir, rpcHost, rpcPort, blockInterval, maxTxPayloadBytes, maxRpcBodyBytes,
        maxBlockBytes, maxBlockTxs, minFeePerByte, mempoolCapacity, perSenderPendingLimit, rejectedRetention,
        lmdbMapSizeBytes, metricsEnabled, healthEnabled, adminEnabled, p2pListen, bootstrapPeers, consensus, spec);
  }
}
