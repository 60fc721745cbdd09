package dev.tandem.da.celestia;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.da.DaException;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import dev.tandem.da.celestia.CelestiaRpc.Failure;
import dev.tandem.da.celestia.CelestiaRpc.RpcException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts data as blobs to Celestia through a celestia-node's JSON-RPC blob API ({@code blob.Submit},
 * {@code blob.GetAll}, {@code blob.Get}, and {@code header.LocalHead} for the head height), with
 * the node's bearer token. Each Tandem namespace gets its own version-0 Celestia namespace
 * ({@link CelestiaNamespace}).
 *
 * <p>The share commitment is not computed here: after {@code blob.Submit} reports the inclusion
 * height, the blob is read back with {@code blob.GetAll} at that height and the commitment taken
 * from the blob whose data is ours (equal data under one namespace has one commitment, so any match
 * is the right one).
 *
 * <p>Receipt: commitment = Celestia namespace (29 bytes) || share commitment (32) || SHA-256 of the
 * data (32); locator = inclusion height. {@link #fetch} checks all three against what the node returns.
 *
 * <p>Idempotency across restarts ({@link PostJournal}): a key already posted returns its receipt.
 * A key whose post was started but never confirmed is first looked up with {@code blob.GetAll} at the
 * heights from the recorded start height to the head; it is posted again only once the head is
 * {@code reconcileWindowBlocks} past the start without the blob appearing, so a submission still in
 * flight cannot land twice. Until then the post fails with a transient {@link DaException}.
 */
public final class CelestiaDa implements DaLayer {
  public static final String LAYER = "celestia";
  /** {@link Config#gasPrice()} value that lets the node estimate the price, bounded by {@link Config#maxGasPrice()}. */
  public static final double NODE_ESTIMATES_GAS_PRICE = -1;

  private static final Logger LOG = LoggerFactory.getLogger(CelestiaDa.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int COMMITMENT_SIZE = 32;
  private static final int DIGEST_SIZE = 32;
  private static final int RECEIPT_SIZE = CelestiaNamespace.SIZE + COMMITMENT_SIZE + DIGEST_SIZE;

  /**
   * Where the node is and what this client may spend.
   *
   * @param url celestia-node JSON-RPC endpoint, e.g. {@code http://127.0.0.1:26658}
   * @param authToken the node's auth token (write permission); empty only for a node run with auth disabled
   * @param namespacePrefix the 2 bytes put before each Tandem namespace in the Celestia namespace
   * @param gasPrice utia per gas to offer, or {@link #NODE_ESTIMATES_GAS_PRICE}
   * @param maxGasPrice the fee cap in utia per gas: a fixed price must not exceed it and the node refuses
   *     to pay more when it estimates
   * @param requestTimeout for reads; {@code submitTimeout} for {@code blob.Submit}, which returns only after inclusion
   * @param reconcileWindowBlocks how many blocks past its start an unconfirmed post is looked for before
   *     it is posted again; must exceed how long a transaction can wait in the consensus nodes' mempool
   */
  public record Config(URI url, String authToken, int namespacePrefix, double gasPrice, double maxGasPrice,
      Duration requestTimeout, Duration submitTimeout, RetryPolicy retry, Path journalDir, int maxBlobBytes,
      int maxResponseBytes, int reconcileWindowBlocks) {
    public Config {
      if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
        throw new IllegalArgumentException("celestia url must be an http(s) URL such as http://127.0.0.1:26658, got " + url);
      }
      if (authToken == null || authToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("celestia auth token must be printable ASCII without spaces (empty if the "
            + "node runs without auth)");
      }
      if (namespacePrefix < 0 || namespacePrefix > 0xFFFF) {
        throw new IllegalArgumentException("celestia namespacePrefix must be 0 to 65535, got " + namespacePrefix);
      }
      if (!Double.isFinite(maxGasPrice) || maxGasPrice <= 0) {
        throw new IllegalArgumentException("celestia maxGasPrice (utia per gas) must be positive, got " + maxGasPrice);
      }
      if (!(gasPrice == NODE_ESTIMATES_GAS_PRICE || (Double.isFinite(gasPrice) && gasPrice >= 0))) {
        throw new IllegalArgumentException("celestia gasPrice must be >= 0 utia per gas, or -1 to let the node "
            + "estimate it, got " + gasPrice);
      }
      if (gasPrice > maxGasPrice) {
        throw new IllegalArgumentException("celestia gasPrice " + gasPrice + " is above the fee cap maxGasPrice "
            + maxGasPrice + "; lower it or raise the cap");
      }
      requirePositive("requestTimeout", requestTimeout);
      requirePositive("submitTimeout", submitTimeout);
      if (retry == null || journalDir == null) {
        throw new IllegalArgumentException("celestia retry policy and journalDir are required");
      }
      if (maxBlobBytes < 1) {
        throw new IllegalArgumentException("celestia maxBlobBytes must be positive, got " + maxBlobBytes);
      }
      long neededForOneBlob = 4L * ((maxBlobBytes + 2L) / 3) + 4096;
      if (maxResponseBytes < neededForOneBlob) {
        throw new IllegalArgumentException("celestia maxResponseBytes " + maxResponseBytes + " cannot hold one "
            + maxBlobBytes + "-byte blob in base64; use at least " + neededForOneBlob);
      }
      if (reconcileWindowBlocks < 1) {
        throw new IllegalArgumentException("celestia reconcileWindowBlocks must be positive, got " + reconcileWindowBlocks);
      }
    }

    private static void requirePositive(String name, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException("celestia " + name + " must be positive, got " + value);
      }
    }

    /**
     * Node-estimated gas price capped at 0.2 utia per gas, namespace prefix {@code 0x5444} ("TD"),
     * 1.9 MB blobs, 30 s reads, 2 min submits, default retries, a 30-block reconcile window.
     */
    public static Config defaults(URI url, String authToken, Path journalDir) {
      return new Config(url, authToken, 0x5444, NODE_ESTIMATES_GAS_PRICE, 0.2, Duration.ofSeconds(30),
          Duration.ofMinutes(2), RetryPolicy.defaults(), journalDir, 1_900_000, 64 << 20, 30);
    }
  }

  private final Config config;
  private final CelestiaRpc rpc;
  private final PostJournal journal;

  /** Validates nothing further than {@link Config}; opens (and locks) the journal; contacts the node only on use. */
  public CelestiaDa(Config config) {
    this.config = config;
    this.rpc = new CelestiaRpc(config.url(), config.authToken(), config.requestTimeout(), config.maxResponseBytes());
    this.journal = new PostJournal(config.journalDir());
  }

  @Override
  public String name() {
    return LAYER;
  }

  @Override
  public synchronized DaReceipt post(long namespace, byte[] data, byte[] idempotencyKey) throws DaException {
    if (idempotencyKey.length == 0) {
      throw new DaException("an empty idempotency key cannot protect a Celestia post; pass the batch's key", false);
    }
    if (data.length == 0 || data.length > config.maxBlobBytes()) {
      throw new DaException("a Celestia blob must hold 1 to " + config.maxBlobBytes() + " bytes, got " + data.length
          + "; split the batch", false);
    }
    CelestiaNamespace celestiaNamespace = namespaceFor(namespace);
    String key = HexFormat.of().formatHex(idempotencyKey);
    byte[] digest = sha256(data);

    Optional<DaReceipt> earlier = journal.posted(key);
    if (earlier.isPresent()) {
      requireSameBatch(key, earlier.get(), celestiaNamespace, digest);
      return earlier.get();
    }
    Optional<PostJournal.Pending> pending = journal.pending(key);
    if (pending.isPresent()) {
      requireSameBatch(key, pending.get(), namespace, digest);
      Optional<DaReceipt> found = reconcile(key, pending.get(), celestiaNamespace);
      if (found.isPresent()) {
        journal.posted(key, found.get());
        return found.get();
      }
    }
    long startHeight = headHeight();
    journal.started(key, namespace, digest, startHeight);
    long height = submit(key, celestiaNamespace, data);
    journal.included(key, height);
    DaReceipt receipt = readBack(height, celestiaNamespace, digest)
        .orElseThrow(() -> new DaException("blob.Submit reported inclusion at height " + height + " but blob.GetAll "
            + "there has no blob with this batch's data under " + celestiaNamespace + "; the post stays journaled and "
            + "the next post of this batch looks for it again", true));
    journal.posted(key, receipt);
    return receipt;
  }

  private CelestiaNamespace namespaceFor(long namespace) throws DaException {
    try {
      return CelestiaNamespace.of(config.namespacePrefix(), namespace);
    } catch (IllegalArgumentException e) {
      throw new DaException(e.getMessage(), false, e);
    }
  }

  private static void requireSameBatch(String key, DaReceipt receipt, CelestiaNamespace namespace, byte[] digest)
      throws DaException {
    byte[] commitment = receipt.commitment();
    boolean same = commitment.length == RECEIPT_SIZE
        && Arrays.equals(Arrays.copyOf(commitment, CelestiaNamespace.SIZE), namespace.bytes())
        && Arrays.equals(Arrays.copyOfRange(commitment, RECEIPT_SIZE - DIGEST_SIZE, RECEIPT_SIZE), digest);
    if (!same) {
      throw reusedKey(key);
    }
  }

  private static void requireSameBatch(String key, PostJournal.Pending pending, long namespace, byte[] digest)
      throws DaException {
    if (pending.namespace() != namespace || !Arrays.equals(pending.dataDigest(), digest)) {
      throw reusedKey(key);
    }
  }

  private static DaException reusedKey(String key) {
    return new DaException("idempotency key " + key + " was already used for a different batch on Celestia; "
        + "each batch needs its own key", false);
  }

  /** Looks for a started, unconfirmed post; empty only when it is safe to post it again. */
  private Optional<DaReceipt> reconcile(String key, PostJournal.Pending pending, CelestiaNamespace namespace)
      throws DaException {
    if (pending.includedHeight() > 0) {
      Optional<DaReceipt> found = readBack(pending.includedHeight(), namespace, pending.dataDigest());
      if (found.isEmpty()) {
        throw new DaException("batch " + key + " was reported included at height " + pending.includedHeight()
            + " but blob.GetAll there does not return it; check that the node is synced to that height", true);
      }
      return found;
    }
    long head = headHeight();
    long last = Math.min(head, pending.startHeight() + config.reconcileWindowBlocks());
    for (long height = Math.max(1, pending.startHeight()); height <= last; height++) {
      Optional<DaReceipt> found = readBack(height, namespace, pending.dataDigest());
      if (found.isPresent()) {
        LOG.info("batch {} was posted before a restart; found at height {}, not posting it again", key, height);
        return found;
      }
    }
    long safeFrom = pending.startHeight() + config.reconcileWindowBlocks();
    if (head < safeFrom) {
      throw new DaException("the earlier post of batch " + key + " (started at Celestia height " + pending.startHeight()
          + ") is not confirmed and not found up to height " + head + "; it is not posted again before height "
          + safeFrom + " so that it cannot land twice; retry later", true);
    }
    LOG.warn("batch {} was not found in heights {}..{} after its unconfirmed post; posting it again", key,
        pending.startHeight(), last);
    return Optional.empty();
  }

  private long submit(String key, CelestiaNamespace namespace, byte[] data) throws DaException {
    ObjectNode blob = JSON.createObjectNode()
        .put("namespace", namespace.base64())
        .put("data", Base64.getEncoder().encodeToString(data))
        .put("share_version", 0)
        .put("index", -1);
    ObjectNode options = JSON.createObjectNode();
    if (config.gasPrice() != NODE_ESTIMATES_GAS_PRICE) {
      options.put("gas_price", config.gasPrice()).put("is_gas_price_set", true);
    }
    options.put("max_gas_price", config.maxGasPrice());
    ArrayNode params = JSON.createArrayNode();
    params.addArray().add(blob);
    params.add(options);
    JsonNode result;
    try {
      result = rpc.call("blob.Submit", params, config.submitTimeout(), config.retry(), false);
    } catch (RpcException e) {
      throw submitFailure(key, e);
    }
    if (result == null || !result.canConvertToLong() || !result.isIntegralNumber() || result.asLong() <= 0) {
      throw new DaException(rpc.malformed("blob.Submit", "the result " + abbreviate(result)
          + " is not a positive height").getMessage() + "; the blob may have been posted, and the next post of this "
          + "batch looks for it before posting again", false);
    }
    return result.asLong();
  }

  /** Records in the journal when the node certainly did not post, so that the next attempt need not wait. */
  private DaException submitFailure(String key, RpcException e) {
    String nodeMessage = e.getMessage();
    String lower = nodeMessage.toLowerCase(Locale.ROOT);
    switch (e.failure()) {
      case UNREACHED -> {
        journal.aborted(key);
        return new DaException(nodeMessage + "; nothing was posted", true, e);
      }
      case REFUSED -> {
        journal.aborted(key);
        return new DaException(nodeMessage, false, e);
      }
      case UNCERTAIN -> {
        return new DaException(nodeMessage + "; the blob may have been posted, and the next post of this batch looks "
            + "for it before posting again", true, e);
      }
      case MALFORMED -> {
        return new DaException(nodeMessage + "; the blob may have been posted, and the next post of this batch looks "
            + "for it before posting again", false, e);
      }
      default -> {
        // a JSON-RPC error: definite refusals first, anything else may have left a transaction behind
      }
    }
    if (lower.contains("exceeds max gas price")) {
      journal.aborted(key);
      return new DaException("celestia-node refused to post: the gas price it estimated is above the fee cap of "
          + config.maxGasPrice() + " utia per gas (node said: " + nodeMessage + "); nothing was posted; retry when "
          + "fees fall or raise maxGasPrice", true, e);
    }
    if (lower.contains("insufficient fee") || lower.contains("insufficient fees")) {
      journal.aborted(key);
      return new DaException("Celestia refused the fee: gas price " + describeGasPrice() + " is below what the "
          + "network requires (node said: " + nodeMessage + "); nothing was posted; raise gasPrice (at most maxGasPrice "
          + config.maxGasPrice() + ", raise that too if needed) or use -1 to let the node estimate", false, e);
    }
    if (lower.contains("missing permission") || lower.contains("unauthorized")) {
      journal.aborted(key);
      return new DaException("celestia-node refused blob.Submit for this auth token (node said: " + nodeMessage
          + "); configure a token with write permission", false, e);
    }
    return new DaException("celestia-node failed blob.Submit: " + nodeMessage + "; the blob may have been posted, and "
        + "the next post of this batch looks for it before posting again", true, e);
  }

  private String describeGasPrice() {
    return config.gasPrice() == NODE_ESTIMATES_GAS_PRICE ? "(estimated by the node)" : config.gasPrice() + " utia";
  }

  /** Our blob at {@code height}, recognised by its data digest, as a receipt; empty if it is not there. */
  private Optional<DaReceipt> readBack(long height, CelestiaNamespace namespace, byte[] digest) throws DaException {
    ArrayNode params = JSON.createArrayNode();
    params.add(height);
    params.addArray().add(namespace.base64());
    JsonNode result = read("blob.GetAll", params);
    if (result == null || result.isNull()) {
      return Optional.empty(); // celestia-node answers null when the namespace has no blobs at that height
    }
    if (!result.isArray()) {
      throw malformed("blob.GetAll", "the result is not a list of blobs");
    }
    for (JsonNode node : result) {
      ParsedBlob blob = parseBlob("blob.GetAll", node);
      if (blob.namespace().equals(namespace) && MessageDigest.isEqual(sha256(blob.data()), digest)) {
        return Optional.of(receipt(namespace, blob.commitment(), digest, height));
      }
    }
    return Optional.empty();
  }

  private long headHeight() throws DaException {
    JsonNode head = read("header.LocalHead", JSON.createArrayNode());
    JsonNode height = head == null ? null : head.path("header").get("height");
    try {
      long value = height == null ? -1 : height.isTextual() ? Long.parseLong(height.asText())
          : height.canConvertToLong() && height.isIntegralNumber() ? height.asLong() : -1;
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw malformed("header.LocalHead", "no header.height in " + abbreviate(head));
  }

  @Override
  public byte[] fetch(DaReceipt receipt) throws DaException {
    byte[] bytes = receipt.commitment();
    if (!LAYER.equals(receipt.layer()) || bytes.length != RECEIPT_SIZE || receipt.locator() <= 0) {
      throw new DaException("not a Celestia receipt: " + receipt, false);
    }
    CelestiaNamespace namespace;
    try {
      namespace = new CelestiaNamespace(Arrays.copyOf(bytes, CelestiaNamespace.SIZE));
    } catch (IllegalArgumentException e) {
      throw new DaException("Celestia receipt has a bad namespace: " + e.getMessage(), false, e);
    }
    byte[] commitment = Arrays.copyOfRange(bytes, CelestiaNamespace.SIZE, CelestiaNamespace.SIZE + COMMITMENT_SIZE);
    byte[] digest = Arrays.copyOfRange(bytes, RECEIPT_SIZE - DIGEST_SIZE, RECEIPT_SIZE);
    ArrayNode params = JSON.createArrayNode();
    params.add(receipt.locator()).add(namespace.base64()).add(Base64.getEncoder().encodeToString(commitment));
    JsonNode result;
    try {
      result = rpc.call("blob.Get", params, config.requestTimeout(), config.retry(), true);
    } catch (RpcException e) {
      if (e.failure() == Failure.RPC_ERROR && e.getMessage().contains("not found")) {
        throw new DaException("Celestia has no blob with commitment " + HexFormat.of().formatHex(commitment)
            + " under " + namespace + " at height " + receipt.locator() + " (node said: " + e.getMessage()
            + "); the node may have pruned that height or be on another network", false, e);
      }
      throw readFailure("blob.Get", e);
    }
    if (result == null || result.isNull()) {
      throw malformed("blob.Get", "the result is null");
    }
    ParsedBlob blob = parseBlob("blob.Get", result);
    if (!blob.namespace().equals(namespace) || !MessageDigest.isEqual(blob.commitment(), commitment)) {
      throw new DaException("celestia-node returned a blob under " + blob.namespace() + " with commitment "
          + HexFormat.of().formatHex(blob.commitment()) + " for a receipt naming " + namespace + " and "
          + HexFormat.of().formatHex(commitment), false);
    }
    if (!MessageDigest.isEqual(sha256(blob.data()), digest)) {
      throw new DaException("the blob celestia-node returned for " + receipt + " does not hold the data that was posted "
          + "(SHA-256 differs)", false);
    }
    return blob.data();
  }

  private record ParsedBlob(CelestiaNamespace namespace, byte[] data, byte[] commitment) {}

  private ParsedBlob parseBlob(String method, JsonNode node) throws DaException {
    if (node == null || !node.isObject()) {
      throw malformed(method, "a blob is not a JSON object");
    }
    JsonNode shareVersion = node.get("share_version");
    if (shareVersion == null || !shareVersion.canConvertToInt() || !shareVersion.isIntegralNumber()) {
      throw malformed(method, "a blob has no integer share_version");
    }
    try {
      CelestiaNamespace namespace = CelestiaNamespace.fromBase64(text(node, "namespace"));
      byte[] data = Base64.getDecoder().decode(text(node, "data"));
      byte[] commitment = Base64.getDecoder().decode(text(node, "commitment"));
      if (commitment.length != COMMITMENT_SIZE) {
        throw new IllegalArgumentException("a commitment of " + commitment.length + " bytes instead of " + COMMITMENT_SIZE);
      }
      return new ParsedBlob(namespace, data, commitment);
    } catch (IllegalArgumentException e) {
      throw malformed(method, "a blob is invalid: " + e.getMessage());
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is missing or not a base64 string");
    }
    return value.asText();
  }

  private JsonNode read(String method, ArrayNode params) throws DaException {
    try {
      return rpc.call(method, params, config.requestTimeout(), config.retry(), true);
    } catch (RpcException e) {
      throw readFailure(method, e);
    }
  }

  private DaException readFailure(String method, RpcException e) {
    return switch (e.failure()) {
      case UNREACHED, UNCERTAIN -> new DaException(e.getMessage(), true, e);
      case REFUSED, MALFORMED -> new DaException(e.getMessage(), false, e);
      case RPC_ERROR -> new DaException("celestia-node failed " + method + ": " + e.getMessage(), true, e);
    };
  }

  private DaException malformed(String method, String why) {
    return new DaException(rpc.malformed(method, why).getMessage(), false);
  }

  private static DaReceipt receipt(CelestiaNamespace namespace, byte[] commitment, byte[] digest, long height) {
    byte[] bytes = ByteBuffer.allocate(RECEIPT_SIZE).put(namespace.bytes()).put(commitment).put(digest).array();
    return new DaReceipt(LAYER, bytes, height);
  }

  private static String abbreviate(JsonNode node) {
    String text = String.valueOf(node);
    return text.length() > 120 ? text.substring(0, 120) + "..." : text;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public void close() {
    journal.close();
  }
}
