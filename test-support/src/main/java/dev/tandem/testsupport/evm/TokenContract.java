package dev.tandem.testsupport.evm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * A deployed {@code TandemToken} (an ERC-20-style token kept as a Solidity resource and compiled
 * with solc-js at test time) on an EVM node such as anvil: deploy it, read balances, and build
 * raw signed EIP-1559 transfers that tests hand to Tandem as rollup payloads. Close it to release
 * its HTTP client.
 */
public final class TokenContract implements AutoCloseable {
  /** The supply minted to the deployer: one million tokens of 18 decimals. */
  public static final BigInteger INITIAL_SUPPLY = BigInteger.TEN.pow(24);
  /** Gas that a token transfer needs with room to spare (a first transfer to an address uses ~52k). */
  public static final BigInteger TRANSFER_GAS = BigInteger.valueOf(100_000);

  private static final String SOURCE_RESOURCE = "TandemToken.sol";
  private static final BigInteger DEPLOY_GAS = BigInteger.valueOf(1_500_000);
  private static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);

  /** EIP-1559 fee caps, in wei per gas. */
  public record Fees(BigInteger maxPriorityFeePerGas, BigInteger maxFeePerGas) {
    public Fees {
      if (maxPriorityFeePerGas.signum() < 0 || maxFeePerGas.compareTo(maxPriorityFeePerGas) < 0) {
        throw new IllegalArgumentException("fees must satisfy 0 <= maxPriorityFeePerGas <= maxFeePerGas");
      }
    }

    /** 1 gwei tip, 20 gwei cap: well above anvil's base fee, which starts at 1 gwei. */
    public static Fees defaults() {
      BigInteger gwei = BigInteger.TEN.pow(9);
      return new Fees(gwei, gwei.multiply(BigInteger.valueOf(20)));
    }
  }

  private final Web3j web3j;
  private final String address;

  private TokenContract(Web3j web3j, String address) {
    this.web3j = web3j;
    this.address = address;
  }

  /** The compiled token (from the cache after the first compilation). */
  public static SolidityCompiler.CompiledContract compiled() {
    return SolidityCompiler.compile(SOURCE_RESOURCE, source(), "TandemToken");
  }

  /**
   * Deploys a token that mints {@link #INITIAL_SUPPLY} to the deployer, and waits for the receipt.
   *
   * @throws IllegalStateException if the node rejects the deployment or it reverts
   */
  public static TokenContract deploy(String rpcUrl, String deployerPrivateKey, long chainId) {
    Credentials deployer = Credentials.create(deployerPrivateKey);
    String data = compiled().bytecode() + FunctionEncoder.encodeConstructor(List.of(new Uint256(INITIAL_SUPPLY)));
    Web3j web3j = Web3j.build(new HttpService(rpcUrl));
    try {
      BigInteger nonce = pendingNonce(web3j, deployer.getAddress());
      Fees fees = Fees.defaults();
      RawTransaction tx = RawTransaction.createTransaction(chainId, nonce, DEPLOY_GAS, "", BigInteger.ZERO, data,
          fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
      TransactionReceipt receipt = sendAndAwait(web3j, TransactionEncoder.signMessage(tx, chainId, deployer));
      if (!receipt.isStatusOK() || receipt.getContractAddress() == null) {
        throw new IllegalStateException("token deployment " + receipt.getTransactionHash() + " failed with status "
            + receipt.getStatus());
      }
      return new TokenContract(web3j, receipt.getContractAddress());
    } catch (RuntimeException e) {
      web3j.shutdown();
      throw e;
    }
  }

  /** A token already deployed at {@code address}. */
  public static TokenContract at(String rpcUrl, String address) {
    return new TokenContract(Web3j.build(new HttpService(rpcUrl)), address);
  }

  public String address() {
    return address;
  }

  /** The holder's balance at the latest block. */
  public BigInteger balanceOf(String holder) {
    Function function = new Function("balanceOf", List.of(new Address(holder)), List.of(new TypeReference<Uint256>() {}));
    EthCall response = call(() -> web3j.ethCall(
        Transaction.createEthCallTransaction(null, address, FunctionEncoder.encode(function)),
        DefaultBlockParameterName.LATEST).send());
    if (response.hasError()) {
      throw new IllegalStateException("balanceOf(" + holder + ") failed: " + response.getError().getMessage());
    }
    @SuppressWarnings("rawtypes")
    List<Type> values = FunctionReturnDecoder.decode(response.getValue(), function.getOutputParameters());
    if (values.size() != 1) {
      throw new IllegalStateException("balanceOf(" + holder + ") returned " + response.getValue()
          + "; is " + address + " a TandemToken?");
    }
    return (BigInteger) values.get(0).getValue();
  }

  /** ABI-encoded {@code transfer(to, amount)} calldata. */
  public static String transferCalldata(String to, BigInteger amount) {
    return FunctionEncoder.encode(new Function("transfer", List.of(new Address(to), new Uint256(amount)),
        List.of(new TypeReference<Bool>() {})));
  }

  /** A raw signed EIP-1559 {@code transfer(to, amount)} to this token: the bytes a rollup payload carries. */
  public byte[] signedTransfer(String privateKey, long chainId, long nonce, String to, BigInteger amount,
      BigInteger gas, Fees fees) {
    RawTransaction tx = RawTransaction.createTransaction(chainId, BigInteger.valueOf(nonce), gas, address,
        BigInteger.ZERO, transferCalldata(to, amount), fees.maxPriorityFeePerGas(), fees.maxFeePerGas());
    return TransactionEncoder.signMessage(tx, chainId, Credentials.create(privateKey));
  }

  /** The account's next nonce, counting its pending transactions. */
  public long pendingNonce(String account) {
    return pendingNonce(web3j, account).longValueExact();
  }

  @Override
  public void close() {
    web3j.shutdown();
  }

  private static BigInteger pendingNonce(Web3j web3j, String account) {
    var response = call(() -> web3j.ethGetTransactionCount(account, DefaultBlockParameterName.PENDING).send());
    if (response.hasError()) {
      throw new IllegalStateException("eth_getTransactionCount failed: " + response.getError().getMessage());
    }
    return response.getTransactionCount();
  }

  private static TransactionReceipt sendAndAwait(Web3j web3j, byte[] signed) {
    EthSendTransaction sent = call(() -> web3j.ethSendRawTransaction(Numeric.toHexString(signed)).send());
    if (sent.hasError()) {
      throw new IllegalStateException("node rejected the transaction: " + sent.getError().getMessage());
    }
    String hash = sent.getTransactionHash();
    long deadline = System.nanoTime() + RECEIPT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<TransactionReceipt> receipt = call(() -> web3j.ethGetTransactionReceipt(hash).send())
          .getTransactionReceipt();
      if (receipt.isPresent()) {
        return receipt.get();
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + hash, e);
      }
    }
    throw new IllegalStateException("no receipt for " + hash + " within " + RECEIPT_TIMEOUT);
  }

  private static String source() {
    try (InputStream in = TokenContract.class.getResourceAsStream(SOURCE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + SOURCE_RESOURCE + " is missing next to " + TokenContract.class);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SOURCE_RESOURCE, e);
    }
  }

  private interface Rpc<T> {
    T send() throws IOException;
  }

  private static <T> T call(Rpc<T> rpc) {
    try {
      return rpc.send();
    } catch (IOException e) {
      throw new UncheckedIOException("JSON-RPC call to the node failed", e);
    }
  }
}
