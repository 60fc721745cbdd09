package dev.tandem.adapters.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testsupport.AnvilProcess;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/** Against a real anvil standing in for an EVM rollup's execution client. */
@Timeout(120)
class EvmDirectDeliveryTest {
  private static final long CHAIN_ID = 4242;
  private static final BigInteger GWEI = BigInteger.TEN.pow(9);
  private static final BigInteger ETHER = BigInteger.TEN.pow(18);
  private static final Credentials DEV = Credentials.create(AnvilProcess.DEV_PRIVATE_KEY);

  /**
   * Runtime code that always reverts with Error("nope"), written by hand:
   * mstore(0, 0x08c379a0 << 224); mstore(4, 0x20); mstore(0x24, 4); mstore(0x44, "nope"); revert(0, 0x64).
   */
  private static final String REVERTER_RUNTIME =
      "7f08c379a0" + "00".repeat(28) + "600052"
          + "6020600452"
          + "6004602452"
          + "7f6e6f7065" + "00".repeat(28) + "604452"
          + "60646000fd";
  /** Init code: codecopy(0, 12, len); return(0, len), followed by the runtime. */
  private static final String REVERTER_INIT = "6057600c60003960576000f3" + REVERTER_RUNTIME;

  private static AnvilProcess anvil;
  private static Web3j web3j;

  @BeforeAll
  static void start() {
    assertThat(REVERTER_RUNTIME.length() / 2).isEqualTo(0x57);
    anvil = AnvilProcess.start(CHAIN_ID);
    web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
  }

  @AfterAll
  static void stop() {
    if (web3j != null) {
      web3j.shutdown();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  static byte[] transfer(Credentials from, long nonce, String to, BigInteger value, BigInteger priorityFee) {
    RawTransaction tx = RawTransaction.createEtherTransaction(CHAIN_ID, BigInteger.valueOf(nonce),
        BigInteger.valueOf(21_000), to, value, priorityFee, priorityFee.add(GWEI.multiply(BigInteger.valueOf(20))));
    return TransactionEncoder.signMessage(tx, CHAIN_ID, from);
  }

  static byte[] call(Credentials from, long nonce, String to, String data) {
    RawTransaction tx = RawTransaction.createTransaction(CHAIN_ID, BigInteger.valueOf(nonce),
        BigInteger.valueOf(100_000), to, BigInteger.ZERO, data, GWEI, GWEI.multiply(BigInteger.valueOf(20)));
    return TransactionEncoder.signMessage(tx, CHAIN_ID, from);
  }

  static long pendingNonce(Web3j client, String address) throws Exception {
    return client.ethGetTransactionCount(address, DefaultBlockParameterName.PENDING).send()
        .getTransactionCount().longValueExact();
  }

  static List<Credentials> freshFundedAccounts(EvmDirectDelivery delivery, Web3j client, int count) throws Exception {
    List<Credentials> accounts = new ArrayList<>();
    List<byte[]> funding = new ArrayList<>();
    long nonce = pendingNonce(client, DEV.getAddress());
    for (int i = 0; i < count; i++) {
      ECKeyPair key = Keys.createEcKeyPair();
      Credentials account = Credentials.create(key);
      accounts.add(account);
      funding.add(transfer(DEV, nonce++, account.getAddress(), ETHER, GWEI));
    }
    delivery.deliver(funding).requireInOrder();
    return accounts;
  }

  @Test
  void deliversInterleavedSendersInLogOrderAndRedeliveryIsIdempotent() throws Exception {
    List<byte[]> log = new ArrayList<>();
    List<Credentials> senders;
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      senders = freshFundedAccounts(delivery, web3j, 3);
      String sink = Keys.toChecksumAddress(Keys.getAddress(Keys.createEcKeyPair()));
      // 4 rounds over 3 senders; fees vary so a fee-ordering node would have a reason to reorder.
      for (int round = 0; round < 4; round++) {
        for (int s = 0; s < senders.size(); s++) {
          log.add(transfer(senders.get(s), round, sink, BigInteger.valueOf(1000 + round),
              GWEI.multiply(BigInteger.valueOf(1 + (s * 7 + round) % 5))));
        }
      }
      DeliveryReport report = delivery.deliver(log);
      assertThat(report.transactions()).hasSize(12);
      assertThat(report.executedInOrder()).as(report.orderViolation().orElse("")).isTrue();
      assertThat(report.transactions()).allSatisfy(tx -> {
        assertThat(tx.succeeded()).isTrue();
        assertThat(tx.alreadyKnown()).isFalse();
      });
      // The node's own receipts agree with the report, in delivery order.
      TransactionReceipt previous = null;
      for (int i = 0; i < log.size(); i++) {
        String hash = EvmDirectDelivery.hashOf(log.get(i));
        assertThat(report.transactions().get(i).hash()).isEqualTo(hash);
        TransactionReceipt receipt = web3j.ethGetTransactionReceipt(hash).send().getTransactionReceipt().orElseThrow();
        if (previous != null) {
          assertThat(receipt.getBlockNumber().compareTo(previous.getBlockNumber()) > 0
              || (receipt.getBlockNumber().equals(previous.getBlockNumber())
                  && receipt.getTransactionIndex().compareTo(previous.getTransactionIndex()) > 0)).isTrue();
        }
        previous = receipt;
      }
    }

    BigInteger headBefore = web3j.ethBlockNumber().send().getBlockNumber();
    // A restarted adapter delivers the same log again: every transaction is known, nothing is sent.
    try (EvmDirectDelivery restarted = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      DeliveryReport again = restarted.deliver(log);
      assertThat(again.transactions()).allSatisfy(tx -> assertThat(tx.alreadyKnown()).isTrue());
      assertThat(again.executedInOrder()).isTrue();
    }
    assertThat(web3j.ethBlockNumber().send().getBlockNumber()).isEqualTo(headBefore);
    for (Credentials sender : senders) {
      assertThat(pendingNonce(web3j, sender.getAddress())).isEqualTo(4);
    }
  }

  @Test
  void oneByOneModeAlsoKeepsOrder() throws Exception {
    EvmDirectDelivery.Config config = new EvmDirectDelivery.Config(Duration.ofSeconds(30), Duration.ofMillis(50), true);
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvil.rpcUrl(), config)) {
      List<Credentials> senders = freshFundedAccounts(delivery, web3j, 2);
      List<byte[]> log = List.of(
          transfer(senders.get(0), 0, DEV.getAddress(), BigInteger.ONE, GWEI),
          transfer(senders.get(1), 0, DEV.getAddress(), BigInteger.ONE, GWEI.multiply(BigInteger.TEN)),
          transfer(senders.get(0), 1, DEV.getAddress(), BigInteger.ONE, GWEI));
      DeliveryReport report = delivery.deliver(log).requireInOrder();
      assertThat(report.transactions()).hasSize(3).allSatisfy(tx -> assertThat(tx.succeeded()).isTrue());
    }
  }

  @Test
  void simulateReportsRevertReasonAndSuccess() throws Exception {
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      long nonce = pendingNonce(web3j, DEV.getAddress());
      byte[] deploy = TransactionEncoder.signMessage(RawTransaction.createContractTransaction(
          BigInteger.valueOf(nonce), GWEI.multiply(BigInteger.valueOf(20)), BigInteger.valueOf(200_000),
          BigInteger.ZERO, "0x" + REVERTER_INIT), CHAIN_ID, DEV);
      assertThat(delivery.simulate(deploy).wouldRevert()).isFalse();
      ExecutedTx deployed = delivery.deliver(List.of(deploy)).transactions().get(0);
      assertThat(deployed.succeeded()).isTrue();
      String contract = web3j.ethGetTransactionReceipt(deployed.hash()).send().getTransactionReceipt()
          .orElseThrow().getContractAddress();
      assertThat(Numeric.cleanHexPrefix(web3j.ethGetCode(contract, DefaultBlockParameterName.LATEST).send().getCode()))
          .isEqualTo(REVERTER_RUNTIME);

      SimulationResult reverting = delivery.simulate(call(DEV, nonce + 1, contract, "0x12345678"));
      assertThat(reverting.wouldRevert()).isTrue();
      assertThat(reverting.revertReason()).contains("nope");
      assertThat(reverting.output()).startsWith("0x08c379a0");

      SimulationResult fine = delivery.simulate(transfer(DEV, nonce + 1, contract.replace("a", "b"), BigInteger.ONE, GWEI));
      assertThat(fine.wouldRevert()).isFalse();
      assertThat(fine.revertReason()).isEmpty();

      // Simulation changed nothing on the node.
      assertThat(pendingNonce(web3j, DEV.getAddress())).isEqualTo(nonce + 1);
    }
  }

  @Test
  void badPayloadsGetClearErrors() {
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      assertThatThrownBy(() -> delivery.simulate(new byte[] {1, 2, 3}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a decodable");
      assertThatThrownBy(() -> delivery.deliver(List.of(new byte[] {(byte) 0xC3, 1, 2, 3})))
          .isInstanceOf(EvmDeliveryException.class).hasMessageContaining("node rejected transaction");
      assertThatThrownBy(() -> delivery.deliver(List.of(new byte[0])))
          .isInstanceOf(EvmDeliveryException.class).hasMessageContaining("empty");
    }
  }

  @Test
  void revertDataDecoding() {
    assertThat(EvmDirectDelivery.decodeRevertReason("0x4e487b71" + "0".repeat(62) + "11")).contains("Panic(0x11)");
    assertThat(EvmDirectDelivery.decodeRevertReason("0xdeadbeef")).contains("custom error 0xdeadbeef");
    assertThat(EvmDirectDelivery.decodeRevertReason("0x")).isEmpty();
    assertThat(EvmDirectDelivery.decodeRevertReason("0x08c379a0" + "ff".repeat(64)).orElseThrow())
        .startsWith("malformed");
  }

  /** With a node that orders its mempool by fee and mines on demand, reordering is detected. */
  @Test
  void reorderingByTheNodeIsDetected() throws Exception {
    try (AnvilProcess manual = AnvilProcess.start(CHAIN_ID, "--no-mining", "--order", "fees");
        EvmDirectDelivery delivery = new EvmDirectDelivery(manual.rpcUrl(),
            new EvmDirectDelivery.Config(Duration.ofSeconds(30), Duration.ofMillis(50), false))) {
      HttpService service = new HttpService(manual.rpcUrl());
      Web3j client = Web3j.build(service);
      try {
        Credentials second = Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
        List<byte[]> log = List.of(
            transfer(DEV, 0, second.getAddress(), BigInteger.ONE, GWEI),
            transfer(second, 0, DEV.getAddress(), BigInteger.ONE, GWEI.multiply(BigInteger.TEN)));
        List<SubmittedTx> submitted = delivery.submit(log);
        assertThat(submitted).noneMatch(SubmittedTx::alreadyKnown);
        // Pending transactions are known by hash too: a second submit sends nothing.
        assertThat(delivery.submit(log)).allMatch(SubmittedTx::alreadyKnown);
        // Nothing is mined yet: waiting gives up with a clear error instead of hanging.
        try (EvmDirectDelivery impatient = new EvmDirectDelivery(manual.rpcUrl(),
            new EvmDirectDelivery.Config(Duration.ofMillis(300), Duration.ofMillis(50), false))) {
          assertThatThrownBy(() -> impatient.awaitExecution(submitted)).isInstanceOf(EvmDeliveryException.class)
              .hasMessageContaining("no receipt within");
        }
        var mined = new org.web3j.protocol.core.Request<>("evm_mine", List.of(), service,
            org.web3j.protocol.core.methods.response.VoidResponse.class).send();
        assertThat(mined.hasError()).isFalse();
        DeliveryReport report = delivery.awaitExecution(submitted);
        assertThat(report.executedInOrder()).isFalse();
        assertThat(report.orderViolation()).get().asString().contains("transaction #1");
        assertThatThrownBy(report::requireInOrder).isInstanceOf(EvmDeliveryException.class)
            .hasMessageContaining("out of delivery order");
      } finally {
        client.shutdown();
      }
    }
  }
}
