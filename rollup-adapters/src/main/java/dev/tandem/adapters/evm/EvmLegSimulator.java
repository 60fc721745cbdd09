package dev.tandem.adapters.evm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.bundles.LegSimulator;
import dev.tandem.bundles.SimulationResult;
import dev.tandem.core.Transaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.http.HttpService;

/**
 * The EVM rollup's execution pre-check for atomic bundles: each leg's payload must be a raw signed
 * Ethereum transaction for this rollup's chain id, and running it on the rollup node at the
 * pending state must not revert.
 *
 * <p>One leg runs with {@code eth_call}. Several legs run together with {@code eth_simulateV1}
 * (anvil 1.7 and geth support it), so that a later leg sees the earlier legs' effects. A node
 * without {@code eth_simulateV1} gets one {@code eth_call} per leg instead, each on the same
 * pending state: then a leg that depends on an earlier one (spends what it receives) is reported
 * as reverting, and legs that together overspend one balance all pass. Simulation does not check
 * nonces or the base fee; it answers only "would this revert".
 *
 * <p>Never throws: a malformed payload, a wrong chain id or an unreachable node all give
 * {@link SimulationResult#wouldRevert} with a reason saying which leg and why.
 */
public final class EvmLegSimulator implements LegSimulator, AutoCloseable {
  private final String rpcUrl;
  private final long chainId;
  private final HttpService http;
  private final Web3j web3j;
  private volatile boolean simulateV1Unsupported;

  /** A simulator for the rollup whose node answers at {@code rpcUrl} and whose chain id is {@code chainId}. */
  public EvmLegSimulator(String rpcUrl, long chainId) {
    this.rpcUrl = rpcUrl;
    this.chainId = chainId;
    this.http = new HttpService(rpcUrl);
    this.web3j = Web3j.build(http);
  }

  @Override
  public SimulationResult simulate(List<Transaction> legsInNamespace) {
    List<SignedEthTx> legs = new ArrayList<>(legsInNamespace.size());
    for (int i = 0; i < legsInNamespace.size(); i++) {
      SignedEthTx leg;
      try {
        leg = SignedEthTx.decode(legsInNamespace.get(i).payload());
      } catch (IllegalArgumentException e) {
        return SimulationResult.wouldRevert("leg #" + i + " is not a signed Ethereum transaction: " + e.getMessage());
      }
      if (leg.chainId().isEmpty()) {
        return SimulationResult.wouldRevert("leg #" + i + " has no chain id (pre-EIP-155 signature); sign it for chain id "
            + chainId);
      }
      if (leg.chainId().get() != chainId) {
        return SimulationResult.wouldRevert("leg #" + i + " is signed for chain id " + leg.chainId().get()
            + ", but this rollup's chain id is " + chainId);
      }
      legs.add(leg);
    }
    try {
      if (legs.size() > 1 && !simulateV1Unsupported) {
        Optional<SimulationResult> together = simulateTogether(legs);
        if (together.isPresent()) {
          return together.get();
        }
      }
      for (int i = 0; i < legs.size(); i++) {
        SimulationResult alone = callAlone(i, legs.get(i));
        if (!alone.ok()) {
          return alone;
        }
      }
      return SimulationResult.OK;
    } catch (IOException | RuntimeException e) {
      return SimulationResult.wouldRevert("cannot simulate on the rollup node at " + rpcUrl + ": " + e);
    }
  }

  private SimulationResult callAlone(int index, SignedEthTx leg) throws IOException {
    EthCall response = web3j.ethCall(leg.callRequest(), DefaultBlockParameterName.PENDING).send();
    if (!response.hasError()) {
      return SimulationResult.OK;
    }
    Response.Error error = response.getError();
    String reason = EvmDirectDelivery.decodeRevertReason(EvmDirectDelivery.revertData(error.getData()))
        .orElse(error.getMessage());
    return SimulationResult.wouldRevert("leg #" + index + " would revert: " + reason);
  }

  /** All legs in one simulated block; empty if the node lacks {@code eth_simulateV1}. */
  private Optional<SimulationResult> simulateTogether(List<SignedEthTx> legs) throws IOException {
    List<Map<String, Object>> calls = new ArrayList<>();
    for (SignedEthTx leg : legs) {
      calls.add(simulateCall(leg));
    }
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("blockStateCalls", List.of(Map.of("calls", calls)));
    payload.put("validation", false);
    SimulateResponse response = new Request<>("eth_simulateV1", List.of(payload, "pending"), http,
        SimulateResponse.class).send();
    if (response.hasError()) {
      Response.Error error = response.getError();
      String message = error.getMessage() == null ? "" : error.getMessage().toLowerCase(Locale.ROOT);
      if (error.getCode() == -32601 || message.contains("not found") || message.contains("not supported")
          || message.contains("does not exist") || message.contains("unsupported")) {
        simulateV1Unsupported = true;
        return Optional.empty();
      }
      return Optional.of(SimulationResult.wouldRevert("eth_simulateV1 refused the legs: " + error.getMessage()));
    }
    JsonNode results = response.getResult() == null ? null : response.getResult().path(0).path("calls");
    if (results == null || !results.isArray() || results.size() != legs.size()) {
      return Optional.of(SimulationResult.wouldRevert("eth_simulateV1 answered without one result per leg: "
          + response.getResult()));
    }
    for (int i = 0; i < results.size(); i++) {
      JsonNode result = results.get(i);
      if (!"0x1".equals(result.path("status").asText())) {
        String data = result.path("returnData").asText("0x");
        if (data.equals("0x") || data.isEmpty()) {
          data = EvmDirectDelivery.revertData(result.path("error").path("data").asText(null));
        }
        String reason = EvmDirectDelivery.decodeRevertReason(data)
            .orElse(result.path("error").path("message").asText("reverted without a reason"));
        return Optional.of(SimulationResult.wouldRevert("leg #" + i + " would revert: " + reason));
      }
    }
    return Optional.of(SimulationResult.OK);
  }

  private static Map<String, Object> simulateCall(SignedEthTx leg) {
    org.web3j.protocol.core.methods.request.Transaction call = leg.callRequest();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("from", call.getFrom());
    if (call.getTo() != null) {
      fields.put("to", call.getTo());
    }
    fields.put("input", call.getData());
    putIfPresent(fields, "value", call.getValue());
    putIfPresent(fields, "gas", call.getGas());
    putIfPresent(fields, "maxFeePerGas", call.getMaxFeePerGas());
    putIfPresent(fields, "maxPriorityFeePerGas", call.getMaxPriorityFeePerGas());
    putIfPresent(fields, "gasPrice", call.getGasPrice());
    return fields;
  }

  private static void putIfPresent(Map<String, Object> fields, String name, String value) {
    if (value != null) {
      fields.put(name, value);
    }
  }

  /** The result of {@code eth_simulateV1}: one simulated block per block state call. */
  private static final class SimulateResponse extends Response<JsonNode> {}

  @Override
  public void close() {
    web3j.shutdown();
  }
}
