package dev.tandem.adapters.evm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.bundles.SimulationResult;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.testsupport.AnvilProcess;
import dev.tandem.testsupport.FreePorts;
import dev.tandem.testsupport.evm.TokenContract;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/** Simulates token transfers on two real anvil rollups with different chain ids. */
@Timeout(120)
class EvmLegSimulatorTest {
  private static final long CHAIN_A = 31_101;
  private static final long CHAIN_B = 31_102;
  private static final Namespace ROLLUP_A = Namespace.of(101);
  private static final String DEPLOYER_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
  private static final String HOLDER_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(1);
  private static final String EMPTY_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(2);
  private static final String DEPLOYER = Credentials.create(DEPLOYER_KEY).getAddress();
  private static final String HOLDER = Credentials.create(HOLDER_KEY).getAddress();
  private static final String EMPTY = Credentials.create(EMPTY_KEY).getAddress();
  private static final BigInteger HELD = BigInteger.valueOf(500);
  private static final KeyPair TANDEM_KEY = KeyPair.generate(new Random(7));
  private static final ObjectMapper JSON = new ObjectMapper();

  private static AnvilProcess anvilA;
  private static AnvilProcess anvilB;
  private static TokenContract tokenA;
  private static TokenContract tokenB;
  private static EvmLegSimulator simulatorA;
  private static EvmLegSimulator simulatorB;

  @BeforeAll
  static void start() {
    anvilA = AnvilProcess.start(CHAIN_A);
    anvilB = AnvilProcess.start(CHAIN_B);
    tokenA = TokenContract.deploy(anvilA.rpcUrl(), DEPLOYER_KEY, CHAIN_A);
    tokenB = TokenContract.deploy(anvilB.rpcUrl(), DEPLOYER_KEY, CHAIN_B);
    simulatorA = new EvmLegSimulator(anvilA.rpcUrl(), CHAIN_A);
    simulatorB = new EvmLegSimulator(anvilB.rpcUrl(), CHAIN_B);
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvilA.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      delivery.deliver(List.of(transferA(DEPLOYER_KEY, HOLDER, HELD))).requireInOrder();
    }
    assertThat(tokenA.balanceOf(HOLDER)).isEqualTo(HELD);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {simulatorA, simulatorB, tokenA, tokenB, anvilA, anvilB}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception ignored) {
          // best effort: the next resource still gets closed
        }
      }
    }
  }

  private static byte[] transferA(String key, String to, BigInteger amount) {
    return transfer(tokenA, CHAIN_A, key, tokenA.pendingNonce(Credentials.create(key).getAddress()), to, amount);
  }

  private static byte[] transfer(TokenContract token, long chainId, String key, long nonce, String to,
      BigInteger amount) {
    return token.signedTransfer(key, chainId, nonce, to, amount, TokenContract.TRANSFER_GAS,
        TokenContract.Fees.defaults());
  }

  private static Transaction leg(long nonce, byte[] payload) {
    return Transaction.sign(1, ROLLUP_A, nonce, 0, payload, TANDEM_KEY);
  }

  @Test
  void fundedTransferIsOk() {
    SimulationResult result = simulatorA.simulate(List.of(leg(1, transferA(HOLDER_KEY, EMPTY, HELD))));
    assertThat(result.ok()).as(result.reason()).isTrue();
  }

  @Test
  void overdraftWouldRevertWithTheContractsReason() {
    SimulationResult result = simulatorA.simulate(List.of(leg(1, transferA(HOLDER_KEY, EMPTY, HELD.add(BigInteger.ONE)))));
    assertThat(result.ok()).isFalse();
    assertThat(result.reason()).isEqualTo("leg #0 would revert: TandemToken: transfer amount exceeds balance");
  }

  @Test
  void legSignedForTheOtherRollupWouldRevertHereButIsOkThere() {
    byte[] forB = transfer(tokenB, CHAIN_B, DEPLOYER_KEY, tokenB.pendingNonce(DEPLOYER), HOLDER, BigInteger.TEN);
    SimulationResult onA = simulatorA.simulate(List.of(leg(1, forB)));
    assertThat(onA.ok()).isFalse();
    assertThat(onA.reason()).contains("signed for chain id " + CHAIN_B).contains("chain id is " + CHAIN_A);
    SimulationResult onB = simulatorB.simulate(List.of(leg(1, forB)));
    assertThat(onB.ok()).as(onB.reason()).isTrue();
  }

  @Test
  void garbageUnsignedAndPreEip155PayloadsWouldRevertWithoutThrowing() {
    SimulationResult garbage = simulatorA.simulate(List.of(leg(1, new byte[] {1, 2, 3})));
    assertThat(garbage.ok()).isFalse();
    assertThat(garbage.reason()).startsWith("leg #0 is not a signed Ethereum transaction");

    assertThat(simulatorA.simulate(List.of(leg(1, new byte[0]))).reason()).contains("empty payload");

    RawTransaction legacy = RawTransaction.createTransaction(BigInteger.ZERO, BigInteger.TEN.pow(10),
        TokenContract.TRANSFER_GAS, tokenA.address(), BigInteger.ZERO, TokenContract.transferCalldata(EMPTY, BigInteger.ONE));
    byte[] unprotected = TransactionEncoder.signMessage(legacy, Credentials.create(HOLDER_KEY));
    SimulationResult replayable = simulatorA.simulate(List.of(leg(1, transferA(HOLDER_KEY, EMPTY, BigInteger.ONE)),
        leg(2, unprotected)));
    assertThat(replayable.ok()).isFalse();
    assertThat(replayable.reason()).startsWith("leg #1 has no chain id");
  }

  @Test
  void laterLegsSeeEarlierLegsEffects() {
    long deployerNonce = tokenA.pendingNonce(DEPLOYER);
    long emptyNonce = tokenA.pendingNonce(EMPTY);
    BigInteger amount = BigInteger.valueOf(77);
    Transaction fund = leg(1, transfer(tokenA, CHAIN_A, DEPLOYER_KEY, deployerNonce, EMPTY, amount));
    Transaction spend = leg(2, transfer(tokenA, CHAIN_A, EMPTY_KEY, emptyNonce, HOLDER, amount));

    SimulationResult inOrder = simulatorA.simulate(List.of(fund, spend));
    assertThat(inOrder.ok()).as(inOrder.reason()).isTrue();

    SimulationResult reversed = simulatorA.simulate(List.of(spend, fund));
    assertThat(reversed.ok()).isFalse();
    assertThat(reversed.reason()).isEqualTo("leg #0 would revert: TandemToken: transfer amount exceeds balance");

    // Two legs that each spend the whole balance: the second overdraws once the first has run.
    long holderNonce = tokenA.pendingNonce(HOLDER);
    SimulationResult overspend = simulatorA.simulate(List.of(
        leg(1, transfer(tokenA, CHAIN_A, HOLDER_KEY, holderNonce, EMPTY, HELD)),
        leg(2, transfer(tokenA, CHAIN_A, HOLDER_KEY, holderNonce + 1, DEPLOYER, HELD))));
    assertThat(overspend.ok()).isFalse();
    assertThat(overspend.reason()).isEqualTo("leg #1 would revert: TandemToken: transfer amount exceeds balance");
    // Simulation changed nothing.
    assertThat(tokenA.balanceOf(EMPTY)).isZero();
    assertThat(tokenA.balanceOf(HOLDER)).isEqualTo(HELD);
  }

  /**
   * A node without eth_simulateV1 (a loopback proxy to anvil that refuses the method): the legs are
   * called one by one on the same state, with the limitation the javadoc states.
   */
  @Test
  void withoutSimulateV1LegsAreCalledIndependently() throws Exception {
    AtomicInteger simulateV1Requests = new AtomicInteger();
    HttpClient client = HttpClient.newHttpClient();
    HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    proxy.createContext("/", exchange -> {
      byte[] request = exchange.getRequestBody().readAllBytes();
      JsonNode json = JSON.readTree(request);
      byte[] response;
      if (json.path("method").asText().equals("eth_simulateV1")) {
        simulateV1Requests.incrementAndGet();
        response = JSON.writeValueAsBytes(Map.of("jsonrpc", "2.0", "id", json.path("id").asLong(),
            "error", Map.of("code", -32601, "message", "the method eth_simulateV1 does not exist/is not available")));
      } else {
        try {
          response = client.send(HttpRequest.newBuilder(URI.create(anvilA.rpcUrl()))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
              HttpResponse.BodyHandlers.ofByteArray()).body();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.IOException(e);
        }
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    proxy.start();
    String proxyUrl = "http://127.0.0.1:" + proxy.getAddress().getPort();
    try (EvmLegSimulator fallback = new EvmLegSimulator(proxyUrl, CHAIN_A)) {
      long deployerNonce = tokenA.pendingNonce(DEPLOYER);
      long emptyNonce = tokenA.pendingNonce(EMPTY);
      Transaction fund = leg(1, transfer(tokenA, CHAIN_A, DEPLOYER_KEY, deployerNonce, EMPTY, BigInteger.TEN));
      Transaction spend = leg(2, transfer(tokenA, CHAIN_A, EMPTY_KEY, emptyNonce, HOLDER, BigInteger.TEN));
      SimulationResult dependent = fallback.simulate(List.of(fund, spend));
      assertThat(dependent.ok()).as("the spend does not see the funding").isFalse();
      assertThat(dependent.reason()).isEqualTo("leg #1 would revert: TandemToken: transfer amount exceeds balance");

      long holderNonce = tokenA.pendingNonce(HOLDER);
      SimulationResult overspend = fallback.simulate(List.of(
          leg(1, transfer(tokenA, CHAIN_A, HOLDER_KEY, holderNonce, EMPTY, HELD)),
          leg(2, transfer(tokenA, CHAIN_A, HOLDER_KEY, holderNonce + 1, DEPLOYER, HELD))));
      assertThat(overspend.ok()).as("each leg alone is funded").isTrue();
      assertThat(simulateV1Requests).as("asked once, then remembered as unsupported").hasValue(1);
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void unreachableNodeWouldRevertWithTheUrl() {
    String nowhere = "http://127.0.0.1:" + FreePorts.next();
    try (EvmLegSimulator offline = new EvmLegSimulator(nowhere, CHAIN_A)) {
      SimulationResult result = offline.simulate(List.of(leg(1, transferA(HOLDER_KEY, EMPTY, BigInteger.ONE))));
      assertThat(result.ok()).isFalse();
      assertThat(result.reason()).startsWith("cannot simulate on the rollup node at " + nowhere);
    }
  }
}
