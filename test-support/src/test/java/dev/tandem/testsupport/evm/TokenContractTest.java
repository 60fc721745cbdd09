package dev.tandem.testsupport.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testsupport.AnvilProcess;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/** Compiles the token with solc-js under node, deploys it on a real anvil, and moves tokens. */
@Timeout(120)
class TokenContractTest {
  private static final long CHAIN_ID = 31_001;
  private static AnvilProcess anvil;

  @BeforeAll
  static void start() {
    anvil = AnvilProcess.start(CHAIN_ID);
  }

  @AfterAll
  static void stop() {
    if (anvil != null) {
      anvil.close();
    }
  }

  @Test
  void devKeysAreAnvilsFundedAccounts() throws Exception {
    Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
    try {
      List<String> accounts = web3j.ethAccounts().send().getAccounts();
      for (int i = 0; i < AnvilProcess.DEV_PRIVATE_KEYS.size(); i++) {
        assertThat(Credentials.create(AnvilProcess.DEV_PRIVATE_KEYS.get(i)).getAddress())
            .isEqualToIgnoringCase(accounts.get(i));
      }
    } finally {
      web3j.shutdown();
    }
  }

  @Test
  void deployedTokenMintsToDeployerAndSignedTransfersMoveBalances() throws Exception {
    String deployerKey = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
    String deployer = Credentials.create(deployerKey).getAddress();
    String recipient = Credentials.create(AnvilProcess.DEV_PRIVATE_KEYS.get(1)).getAddress();
    BigInteger amount = BigInteger.valueOf(1234);
    Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
    try (TokenContract token = TokenContract.deploy(anvil.rpcUrl(), deployerKey, CHAIN_ID)) {
      assertThat(token.balanceOf(deployer)).isEqualTo(TokenContract.INITIAL_SUPPLY);
      assertThat(token.balanceOf(recipient)).isZero();

      byte[] raw = token.signedTransfer(deployerKey, CHAIN_ID, token.pendingNonce(deployer), recipient, amount,
          TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
      assertThat(raw[0]).as("EIP-1559 type byte").isEqualTo((byte) 2);
      String hash = web3j.ethSendRawTransaction(Numeric.toHexString(raw)).send().getTransactionHash();
      TransactionReceipt receipt = awaitReceipt(web3j, hash);
      assertThat(receipt.isStatusOK()).isTrue();
      assertThat(receipt.getLogs()).as("one Transfer event").hasSize(1);

      assertThat(token.balanceOf(recipient)).isEqualTo(amount);
      assertThat(token.balanceOf(deployer)).isEqualTo(TokenContract.INITIAL_SUPPLY.subtract(amount));
    } finally {
      web3j.shutdown();
    }
  }

  static TransactionReceipt awaitReceipt(Web3j web3j, String hash) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      var receipt = web3j.ethGetTransactionReceipt(hash).send().getTransactionReceipt();
      if (receipt.isPresent()) {
        return receipt.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no receipt for " + hash + " within 30 s");
  }

  @Test
  void overdraftRevertsWithTheReasonString() throws Exception {
    String deployerKey = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
    String poorKey = AnvilProcess.DEV_PRIVATE_KEYS.get(2);
    String poor = Credentials.create(poorKey).getAddress();
    Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
    try (TokenContract token = TokenContract.deploy(anvil.rpcUrl(), deployerKey, CHAIN_ID)) {
      var call = org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(poor, token.address(),
          TokenContract.transferCalldata(Credentials.create(deployerKey).getAddress(), BigInteger.ONE));
      var response = web3j.ethCall(call, org.web3j.protocol.core.DefaultBlockParameterName.LATEST).send();
      assertThat(response.hasError()).isTrue();
      assertThat(response.getError().getMessage()).contains("TandemToken: transfer amount exceeds balance");
    } finally {
      web3j.shutdown();
    }
  }

  @Test
  void compilationIsCachedAndAMissingNodeIsReportedClearly() {
    SolidityCompiler.CompiledContract first = TokenContract.compiled();
    assertThat(first.bytecode()).startsWith("0x6080");
    assertThat(first.abiJson()).contains("\"transfer\"").contains("\"Transfer\"").contains("\"balanceOf\"");
    // From the cache now, even with no node at all.
    String source = "pragma solidity ^0.8.20; contract Cached {}";
    SolidityCompiler.CompiledContract compiled = SolidityCompiler.compile("Cached.sol", source, "Cached");
    assertThat(SolidityCompiler.compile("Cached.sol", source, "Cached", "/nonexistent/node")).isEqualTo(compiled);

    String fresh = "pragma solidity ^0.8.20; contract Fresh" + System.nanoTime() + " {}";
    assertThatThrownBy(() -> SolidityCompiler.compile("Fresh.sol", fresh, "Fresh", "/nonexistent/node"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("install Node.js 20 or newer");
    assertThatThrownBy(() -> SolidityCompiler.compile("Broken.sol", "contract Broken { nonsense }", "Broken"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Broken.sol does not compile");
  }
}
