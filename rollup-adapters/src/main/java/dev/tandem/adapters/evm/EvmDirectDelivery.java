package dev.tandem.adapters.evm;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.crypto.Hash;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * Direct delivery to an EVM rollup's execution client: a namespace's payloads, each a raw signed
 * Ethereum transaction, go to the node with {@code eth_sendRawTransaction} in log order, and
 * their receipts show whether the node executed them in that order.
 *
 * <p>Redelivery is idempotent: a transaction the node already has (pending, or executed before a
 * restart of either side) is recognised by its hash and not sent again. In pipelined mode (the
 * default) all transactions are sent before receipts are awaited; a node that reorders its
 * mempool (e.g. by fee) shows up as an order violation in the report. In one-by-one mode each
 * transaction's receipt is awaited before the next is sent, which forces the order on any node at
 * the cost of one block per transaction on nodes that mine per block.
 */
public final class EvmDirectDelivery implements AutoCloseable {
  private static final String ERROR_SELECTOR = "0x08c379a0";
  private static final String PANIC_SELECTOR = "0x4e487b71";

  /**
   * @param receiptTimeout how long to wait for all receipts of one delivery
   * @param pollInterval how often to ask for receipts meanwhile
   * @param oneByOne await each receipt before sending the next transaction
   */
  public record Config(Duration receiptTimeout, Duration pollInterval, boolean oneByOne) {
    public Config {
      if (receiptTimeout.isNegative() || pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
    }

    public static Config defaults() {
      return new Config(Duration.ofSeconds(60), Duration.ofMillis(100), false);
    }
  }

  private final Web3j web3j;
  private final Config config;

  public EvmDirectDelivery(String rpcUrl, Config config) {
    this.web3j = Web3j.build(new HttpService(rpcUrl));
    this.config = config;
  }

  /** Sends the transactions in order and waits for their receipts. */
  public DeliveryReport deliver(List<byte[]> rawTransactions) {
    if (!config.oneByOne()) {
      return awaitExecution(submit(rawTransactions));
    }
    List<ExecutedTx> executed = new ArrayList<>(rawTransactions.size());
    for (byte[] raw : rawTransactions) {
      executed.addAll(awaitExecution(List.of(submitOne(raw))).transactions());
    }
    return new DeliveryReport(executed);
  }

  /**
   * Sends the transactions in order without waiting for execution; known ones are skipped.
   *
   * @throws TransactionRejectedException if the node rejects one (the ones before it were sent)
   * @throws EvmDeliveryException if the node cannot be reached
   */
  public List<SubmittedTx> submit(List<byte[]> rawTransactions) {
    List<SubmittedTx> submitted = new ArrayList<>(rawTransactions.size());
    for (byte[] raw : rawTransactions) {
      submitted.add(submitOne(raw));
    }
    return submitted;
  }

  /**
   * Waits until every submitted transaction has a receipt and reports where each executed.
   *
   * @throws EvmDeliveryException if some have no receipt within the timeout
   */
  public DeliveryReport awaitExecution(List<SubmittedTx> submitted) {
    Map<String, TransactionReceipt> receipts = new HashMap<>();
    long deadline = System.nanoTime() + config.receiptTimeout().toNanos();
    while (true) {
      for (SubmittedTx tx : submitted) {
        if (!receipts.containsKey(tx.hash())) {
          receiptOf(tx.hash()).ifPresent(r -> receipts.put(tx.hash(), r));
        }
      }
      if (receipts.size() == submitted.stream().map(SubmittedTx::hash).distinct().count()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        List<String> missing = submitted.stream().map(SubmittedTx::hash)
            .filter(h -> !receipts.containsKey(h)).toList();
        throw new EvmDeliveryException("no receipt within " + config.receiptTimeout() + " for " + missing.size()
            + " transaction(s), first " + missing.get(0));
      }
      sleep(config.pollInterval());
    }
    List<ExecutedTx> executed = new ArrayList<>(submitted.size());
    for (SubmittedTx tx : submitted) {
      TransactionReceipt r = receipts.get(tx.hash());
      executed.add(new ExecutedTx(tx.hash(), tx.alreadyKnown(), r.getBlockNumber().longValueExact(),
          r.getTransactionIndex().longValueExact(), r.isStatusOK()));
    }
    return new DeliveryReport(executed);
  }

  /**
   * Runs the transaction with {@code eth_call} at the pending state, with its sender, recipient,
   * calldata, value, gas limit and fees, to see whether it would revert.
   *
   * @throws IllegalArgumentException if the bytes are not a signed transaction
   * @throws EvmDeliveryException if the node cannot be reached
   */
  public SimulationResult simulate(byte[] rawTransaction) {
    Transaction call = SignedEthTx.decode(rawTransaction).callRequest();
    EthCall response = send("eth_call", () -> web3j.ethCall(call, DefaultBlockParameterName.PENDING).send());
    if (!response.hasError()) {
      return new SimulationResult(false, Optional.empty(), response.getValue());
    }
    Response.Error error = response.getError();
    String data = revertData(error.getData());
    String reason = decodeRevertReason(data).orElse(error.getMessage());
    return new SimulationResult(true, Optional.of(reason), data);
  }

  /** The transaction hash, as the node computes it: keccak256 of the raw encoding. */
  public static String hashOf(byte[] rawTransaction) {
    return Numeric.toHexString(Hash.sha3(rawTransaction));
  }

  @Override
  public void close() {
    web3j.shutdown();
  }

  private SubmittedTx submitOne(byte[] raw) {
    if (raw.length == 0) {
      throw new EvmDeliveryException("empty payload is not a transaction");
    }
    String hash = hashOf(raw);
    if (isKnown(hash)) {
      return new SubmittedTx(hash, true);
    }
    EthSendTransaction response = send("eth_sendRawTransaction",
        () -> web3j.ethSendRawTransaction(Numeric.toHexString(raw)).send());
    if (response.hasError()) {
      String message = response.getError().getMessage();
      String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
      // A race with another deliverer, or a node that does not index pending transactions by hash.
      if ((lower.contains("already known") || lower.contains("already imported") || lower.contains("known transaction")
          || lower.contains("nonce too low")) && isKnown(hash)) {
        return new SubmittedTx(hash, true);
      }
      throw new TransactionRejectedException(hash, message);
    }
    if (response.getTransactionHash() != null && !response.getTransactionHash().equalsIgnoreCase(hash)) {
      throw new EvmDeliveryException("node reports hash " + response.getTransactionHash() + " for transaction "
          + hash);
    }
    return new SubmittedTx(hash, false);
  }

  private boolean isKnown(String hash) {
    var response = send("eth_getTransactionByHash", () -> web3j.ethGetTransactionByHash(hash).send());
    return !response.hasError() && response.getResult() != null;
  }

  private Optional<TransactionReceipt> receiptOf(String hash) {
    EthGetTransactionReceipt response = send("eth_getTransactionReceipt",
        () -> web3j.ethGetTransactionReceipt(hash).send());
    if (response.hasError()) {
      throw new EvmDeliveryException("eth_getTransactionReceipt failed for " + hash + ": "
          + response.getError().getMessage());
    }
    return response.getTransactionReceipt();
  }

  /** The revert data from an error's data field: anvil and geth send a hex string. */
  static String revertData(String data) {
    if (data == null) {
      return "0x";
    }
    String trimmed = data.strip();
    if (trimmed.startsWith("\"") && trimmed.endsWith("\"") && trimmed.length() >= 2) {
      trimmed = trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed.matches("0x[0-9a-fA-F]*") ? trimmed : "0x";
  }

  /** Decodes {@code Error(string)} and {@code Panic(uint256)} revert data; other data is shown raw. */
  static Optional<String> decodeRevertReason(String hexData) {
    byte[] data;
    try {
      data = Numeric.hexStringToByteArray(hexData);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    if (data.length < 4) {
      return Optional.empty();
    }
    String selector = Numeric.toHexString(data, 0, 4, true);
    if (selector.equals(ERROR_SELECTOR) && data.length >= 4 + 64) {
      BigInteger offset = new BigInteger(1, java.util.Arrays.copyOfRange(data, 4, 36));
      if (offset.compareTo(BigInteger.valueOf(data.length)) < 0) {
        int start = 4 + offset.intValue();
        if (start + 32 <= data.length) {
          BigInteger length = new BigInteger(1, java.util.Arrays.copyOfRange(data, start, start + 32));
          if (length.compareTo(BigInteger.valueOf(data.length - start - 32L)) <= 0) {
            return Optional.of(new String(data, start + 32, length.intValue(), StandardCharsets.UTF_8));
          }
        }
      }
      return Optional.of("malformed Error(string) revert data " + hexData);
    }
    if (selector.equals(PANIC_SELECTOR) && data.length == 36) {
      return Optional.of("Panic(0x" + new BigInteger(1, java.util.Arrays.copyOfRange(data, 4, 36)).toString(16) + ")");
    }
    return Optional.of("custom error " + hexData);
  }

  private interface Call<T> {
    T run() throws IOException;
  }

  private static <T> T send(String method, Call<T> call) {
    try {
      return call.run();
    } catch (IOException e) {
      throw new EvmDeliveryException(method + " failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // web3j wraps transport and parse errors in runtime exceptions
      throw new EvmDeliveryException(method + " failed: " + e, e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvmDeliveryException("interrupted while waiting for receipts", e);
    }
  }
}
