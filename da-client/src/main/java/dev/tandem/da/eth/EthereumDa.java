package dev.tandem.da.eth;

import dev.tandem.da.DaException;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Blob;
import org.web3j.crypto.BlobUtils;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.crypto.transaction.type.Transaction4844;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.rlp.RlpDecoder;
import org.web3j.rlp.RlpEncoder;
import org.web3j.rlp.RlpList;
import org.web3j.utils.Numeric;

/**
 * Posts data to Ethereum, either as EIP-4844 blobs (a type-3 transaction; KZG commitments and
 * proofs by web3j over c-kzg-4844 with the mainnet trusted setup) or as calldata of a type-2
 * transaction, both sent to a batch inbox address. Waits for inclusion and a successful receipt.
 * Refuses to pay more than the configured fee caps. Idempotent across restarts through a
 * {@link SendJournal}. Fetching blobs back uses {@code anvil_getBlobByHash}; a production L1 reads
 * them from a beacon node instead (see da-client/README.md).
 *
 * <p>Receipt: commitment = transaction hash followed by the blobs' versioned hashes (none for
 * calldata); locator = block number.
 */
public final class EthereumDa implements DaLayer {
  private static final Logger LOG = LoggerFactory.getLogger(EthereumDa.class);
  private static final int MAX_BLOBS = 6;

  /**
   * How the data travels. BLOBS packs any bytes into blobs (Tandem's packing, {@link BlobPacking});
   * RAW_BLOBS posts data that is already whole blobs in a rollup's own encoding (OP Stack's version-0
   * blobs), 131,072 bytes each, unchanged, so the rollup's derivation reads them; CALLDATA sends the
   * bytes as transaction input.
   */
  public enum Mode { BLOBS, RAW_BLOBS, CALLDATA }

  /** Connection, signer, destination and the most this layer may pay per gas. */
  public record Config(String rpcUrl, long chainId, String privateKeyHex, String inboxAddress, Mode mode,
      BigInteger maxFeePerGasCap, BigInteger maxPriorityFeePerGas, BigInteger maxFeePerBlobGasCap,
      Duration inclusionTimeout, Path journalFile) {}

  private final Config config;
  private final Web3j web3;
  private final HttpService http;
  private final Credentials credentials;
  private final SendJournal journal;

  public EthereumDa(Config config) {
    this.config = config;
    this.http = new HttpService(config.rpcUrl());
    this.web3 = Web3j.build(http);
    this.credentials = Credentials.create(config.privateKeyHex());
    this.journal = new SendJournal(config.journalFile());
  }

  @Override
  public String name() {
    return config.mode() == Mode.CALLDATA ? "eth-calldata" : "eth-blob";
  }

  @Override
  public synchronized DaReceipt post(long namespace, byte[] data, byte[] idempotencyKey) throws DaException {
    String key = HexFormat.of().formatHex(idempotencyKey);
    Optional<SendJournal.Entry> earlier = journal.find(key);
    if (earlier.isPresent()) {
      LOG.info("batch {} was signed before a restart; re-broadcasting tx {} instead of posting again", key,
          earlier.get().txHash());
      broadcast(earlier.get().rawTx(), true);
      return awaitReceipt(earlier.get().txHash(), versionedHashesOf(earlier.get()));
    }
    if (config.mode() == Mode.BLOBS && BlobPacking.blobsNeeded(data.length) > MAX_BLOBS) {
      throw new DaException(data.length + " bytes need more than " + MAX_BLOBS + " blobs; split the batch", false);
    }
    if (config.mode() == Mode.RAW_BLOBS && (data.length == 0 || data.length % BlobPacking.BLOB_BYTES != 0
        || data.length / BlobPacking.BLOB_BYTES > MAX_BLOBS)) {
      throw new DaException("raw blob data must be 1 to " + MAX_BLOBS + " whole blobs of " + BlobPacking.BLOB_BYTES
          + " bytes, got " + data.length + " bytes", false);
    }
    Signed signed = sign(data);
    String hashes = signed.versionedHashes.isEmpty() ? "-"
        : String.join(",", signed.versionedHashes.stream().map(Bytes::toHexString).toList());
    journal.record(new SendJournal.Entry(key, signed.txHash, hashes, signed.rawTx));
    broadcast(signed.rawTx, false);
    return awaitReceipt(signed.txHash, signed.versionedHashes);
  }

  private record Signed(String txHash, String rawTx, List<Bytes> versionedHashes) {}

  private Signed sign(byte[] data) throws DaException {
    BigInteger nonce = call(() -> web3.ethGetTransactionCount(credentials.getAddress(), DefaultBlockParameterName.PENDING)
        .send().getTransactionCount(), "nonce");
    BigInteger baseFee = call(() -> web3.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send()
        .getBlock().getBaseFeePerGas(), "base fee");
    BigInteger priority = config.maxPriorityFeePerGas();
    BigInteger maxFee = baseFee.multiply(BigInteger.TWO).add(priority).min(config.maxFeePerGasCap());
    if (maxFee.compareTo(baseFee.add(priority)) < 0) {
      throw new DaException("base fee " + baseFee + " wei plus priority fee " + priority + " exceeds the cap of "
          + config.maxFeePerGasCap() + " wei per gas; not posting (retry when fees fall or raise the cap)", true);
    }
    String inbox = config.inboxAddress();
    if (config.mode() == Mode.CALLDATA) {
      String input = Numeric.toHexString(data);
      BigInteger gas = call(() -> web3.ethEstimateGas(org.web3j.protocol.core.methods.request.Transaction
          .createFunctionCallTransaction(credentials.getAddress(), nonce, null, null, inbox, input)).send()
          .getAmountUsed(), "gas estimate");
      RawTransaction tx = RawTransaction.createTransaction(config.chainId(), nonce, gas.add(gas.divide(BigInteger.TEN)),
          inbox, BigInteger.ZERO, input, priority, maxFee);
      byte[] raw = TransactionEncoder.signMessage(tx, credentials);
      return new Signed(Hash.sha3(Numeric.toHexString(raw)), Numeric.toHexString(raw), List.of());
    }
    BigInteger blobBaseFee = call(() -> send(new Request<>("eth_blobBaseFee", List.of(), http, QuantityResponse.class))
        .quantity(), "blob base fee");
    BigInteger maxBlobFee = blobBaseFee.multiply(BigInteger.TWO).max(BigInteger.ONE).min(config.maxFeePerBlobGasCap());
    if (maxBlobFee.compareTo(blobBaseFee) < 0) {
      throw new DaException("blob base fee " + blobBaseFee + " wei exceeds the cap of " + config.maxFeePerBlobGasCap()
          + " wei per blob gas; not posting", true);
    }
    List<Blob> blobs = new ArrayList<>();
    for (byte[] contents : config.mode() == Mode.RAW_BLOBS ? split(data) : BlobPacking.pack(data)) {
      blobs.add(new Blob(contents));
    }
    RawTransaction withBlobs;
    byte[] network;
    try {
      // web3j computes each blob's KZG commitment and proof here, once; the versioned hashes come from them.
      withBlobs = RawTransaction.createTransaction(blobs, config.chainId(), nonce, priority, maxFee,
          BigInteger.valueOf(21_000), inbox, BigInteger.ZERO, "0x", maxBlobFee);
      network = TransactionEncoder.signMessage(withBlobs, credentials);
    } catch (RuntimeException notABlob) {
      throw new DaException("data is not a valid blob (every 32-byte field element must be below the BLS modulus): "
          + notABlob.getMessage(), false);
    }
    List<Bytes> versionedHashes = ((Transaction4844) withBlobs.getTransaction()).getVersionedHashes();
    String raw = Numeric.toHexString(network);
    String txHash = Hash.sha3(Numeric.toHexString(withoutSidecar(network)));
    return new Signed(txHash, raw, versionedHashes);
  }

  private static List<byte[]> split(byte[] data) {
    List<byte[]> blobs = new ArrayList<>();
    for (int offset = 0; offset < data.length; offset += BlobPacking.BLOB_BYTES) {
      blobs.add(java.util.Arrays.copyOfRange(data, offset, offset + BlobPacking.BLOB_BYTES));
    }
    return blobs;
  }

  /**
   * A blob transaction travels as {@code 0x03 || rlp([body, blobs, commitments, proofs])}; its
   * hash is over {@code 0x03 || rlp(body)}.
   */
  static byte[] withoutSidecar(byte[] network) {
    RlpList outer = RlpDecoder.decode(java.util.Arrays.copyOfRange(network, 1, network.length));
    RlpList wrapper = (RlpList) outer.getValues().get(0);
    byte[] body = RlpEncoder.encode(wrapper.getValues().get(0));
    byte[] typed = new byte[body.length + 1];
    typed[0] = network[0];
    System.arraycopy(body, 0, typed, 1, body.length);
    return typed;
  }

  private void broadcast(String rawTx, boolean mayBeKnown) throws DaException {
    EthSendTransaction sent = call(() -> web3.ethSendRawTransaction(rawTx).send(), "broadcast");
    if (sent.hasError()) {
      String message = sent.getError().getMessage();
      boolean known = message.contains("already known") || message.contains("nonce too low")
          || message.contains("AlreadyKnown");
      if (mayBeKnown && known) {
        return;
      }
      throw new DaException("Ethereum node refused the transaction: " + message, false);
    }
  }

  private DaReceipt awaitReceipt(String txHash, List<Bytes> versionedHashes) throws DaException {
    long deadline = System.nanoTime() + config.inclusionTimeout().toNanos();
    // Polls soon after sending (a dev chain mines in milliseconds), then backs off to a second.
    long pollMillis = 10;
    while (System.nanoTime() < deadline) {
      Optional<TransactionReceipt> receipt = call(() -> web3.ethGetTransactionReceipt(txHash).send()
          .getTransactionReceipt(), "receipt");
      if (receipt.isPresent()) {
        if (!receipt.get().isStatusOK()) {
          throw new DaException("DA transaction " + txHash + " was included but failed", false);
        }
        ByteArrayOutputStream commitment = new ByteArrayOutputStream();
        commitment.writeBytes(Numeric.hexStringToByteArray(txHash));
        versionedHashes.forEach(h -> commitment.writeBytes(h.toArrayUnsafe()));
        return new DaReceipt(name(), commitment.toByteArray(), receipt.get().getBlockNumber().longValueExact());
      }
      try {
        Thread.sleep(pollMillis);
        pollMillis = Math.min(1_000, pollMillis * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DaException("interrupted waiting for " + txHash, true, e);
      }
    }
    throw new DaException("DA transaction " + txHash + " not included within " + config.inclusionTimeout()
        + "; it stays journaled and the next post of the same batch waits for it", true);
  }

  @Override
  public byte[] fetch(DaReceipt receipt) throws DaException {
    byte[] commitment = receipt.commitment();
    if (commitment.length < 32 || commitment.length % 32 != 0) {
      throw new DaException("not an Ethereum DA receipt", false);
    }
    String txHash = Numeric.toHexString(commitment, 0, 32, true);
    if (commitment.length == 32) {
      var tx = call(() -> web3.ethGetTransactionByHash(txHash).send().getTransaction(), "transaction");
      if (tx.isEmpty()) {
        throw new DaException("transaction " + txHash + " not found", true);
      }
      return Numeric.hexStringToByteArray(tx.get().getInput());
    }
    List<byte[]> blobs = new ArrayList<>();
    for (int offset = 32; offset < commitment.length; offset += 32) {
      String versionedHash = Numeric.toHexString(commitment, offset, 32, true);
      String blobHex = call(() -> send(new Request<>("anvil_getBlobByHash", List.of(versionedHash), http,
          StringResponse.class)).getResult(), "blob " + versionedHash);
      if (blobHex == null) {
        throw new DaException("no blob with versioned hash " + versionedHash, true);
      }
      byte[] blob = Numeric.hexStringToByteArray(blobHex);
      Bytes computed = BlobUtils.kzgToVersionedHash(BlobUtils.getCommitment(new Blob(blob)));
      if (!computed.toHexString().equalsIgnoreCase(versionedHash)) {
        throw new DaException("blob does not match its versioned hash " + versionedHash, false);
      }
      blobs.add(blob);
    }
    if (config.mode() == Mode.RAW_BLOBS) {
      ByteArrayOutputStream whole = new ByteArrayOutputStream();
      blobs.forEach(whole::writeBytes);
      return whole.toByteArray();
    }
    try {
      return BlobPacking.unpack(blobs);
    } catch (IllegalArgumentException e) {
      throw new DaException("blobs do not hold Tandem-packed data: " + e.getMessage(), false);
    }
  }

  private static List<Bytes> versionedHashesOf(SendJournal.Entry entry) {
    if (entry.versionedHashes().equals("-")) {
      return List.of();
    }
    return java.util.Arrays.stream(entry.versionedHashes().split(",")).map(Bytes::fromHexString).toList();
  }

  /** A JSON-RPC response whose result is a quantity. */
  public static final class QuantityResponse extends Response<String> {
    BigInteger quantity() {
      return Numeric.decodeQuantity(getResult());
    }
  }

  /** A JSON-RPC response whose result is a string. */
  public static final class StringResponse extends Response<String> {}

  @FunctionalInterface
  private interface RpcCall<T> {
    T run() throws IOException;
  }

  private static <T> T call(RpcCall<T> call, String what) throws DaException {
    try {
      return call.run();
    } catch (IOException e) {
      throw new DaException("Ethereum node unreachable while reading " + what + ": " + e.getMessage(), true, e);
    } catch (RuntimeException e) {
      throw new DaException("Ethereum node answered badly for " + what + ": " + e, true, e);
    }
  }

  private static <T extends Response<?>> T send(Request<?, T> request) throws IOException {
    T response = request.send();
    if (response.hasError()) {
      throw new IOException(response.getError().getMessage());
    }
    return response;
  }

  @Override
  public void close() {
    web3.shutdown();
  }
}
