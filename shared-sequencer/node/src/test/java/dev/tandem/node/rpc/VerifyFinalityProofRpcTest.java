package dev.tandem.node.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.node.NodeConfig;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which finality proof {@code tandem_getFinalityProof} assembles from the stored QCs, on a log
 * with a view change: heights 1 to 5 certified in views 1, 2, 4, 5, 6 (view 3 timed out). Height 2
 * became final only through height 4's QC, so its proof carries two headers. The backend is an
 * in-memory fake: this is the pure proof-search logic; VerifyCommandTest runs real nodes.
 */
class VerifyFinalityProofRpcTest {
  private static final long CHAIN = 77;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final Random random = new Random(3);
  private final List<KeyPair> keys = List.of(KeyPair.generate(random), KeyPair.generate(random),
      KeyPair.generate(random), KeyPair.generate(random));
  private final ValidatorSet validators = ValidatorSet.equalStake(keys.stream().map(KeyPair::publicKey).toList());
  private final Map<Long, BlockHeader> headers = new HashMap<>();
  private final Map<Long, QuorumCertificate> certificates = new HashMap<>();

  private void buildLog() {
    long[] views = {0, 1, 2, 4, 5, 6};
    Hash parent = Hash.ZERO;
    for (int height = 1; height <= 5; height++) {
      BlockHeader header = Block.build(CHAIN, height, parent, 1000L * height, keys.get(0).publicKey(), List.of()).header();
      List<Signature> signatures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        signatures.add(Vote.sign(keys.get(i), CHAIN, views[height], height, header.hash(), views[height - 1]).signature());
      }
      headers.put((long) height, header);
      certificates.put((long) height,
          QuorumCertificate.of(CHAIN, views[height], height, header.hash(), views[height - 1], signatures));
      parent = header.hash();
    }
  }

  private NodeConfig config(boolean withConsensus) throws Exception {
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", CHAIN).put("dataDir", dir.toString()).put("rpcPort", 0);
    if (withConsensus) {
      tree.put("p2pListen", "/ip4/127.0.0.1/tcp/0");
      ArrayNode list = tree.putObject("consensus").putArray("validators");
      keys.forEach(k -> list.addObject().put("publicKey", k.publicKey().toHex()).put("stake", 1));
    }
    Path file = dir.resolve("node.json");
    Files.writeString(file, tree.toString());
    return NodeConfig.load(file);
  }

  /** Only what the verification methods read; any other call fails the test. */
  private RpcMethods methods(NodeConfig config) {
    RpcBackend backend = (RpcBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RpcBackend.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "config" -> config;
          case "finalizedHeight" -> (long) headers.size();
          case "header" -> Optional.ofNullable(headers.get((Long) args[0]));
          case "certificate" -> Optional.ofNullable(certificates.get((Long) args[0]));
          default -> throw new UnsupportedOperationException(method.getName());
        });
    return new RpcMethods(backend);
  }

  private static JsonNode call(RpcMethods methods, String name, Object... params) {
    return methods.get(name).call(new Params(JSON.valueToTree(List.of(params))), null);
  }

  private FinalityProof proofAt(RpcMethods methods, long height) {
    JsonNode result = call(methods, "tandem_getFinalityProof", Hex.quantity(height));
    assertThat(result.get("header").asText()).isEqualTo(Hex.encode(headers.get(height).encode()));
    FinalityProof proof = FinalityProof.decode(Hex.decode(result.get("proof").asText()));
    assertThat(proof.verify(headers.get(height), validators).valid()).isTrue();
    return proof;
  }

  @Test
  void provesDirectlyCommittedAndViewChangeCommittedHeightsButNotTheTip() throws Exception {
    buildLog();
    RpcMethods methods = methods(config(true));
    assertThat(proofAt(methods, 1).path()).containsExactly(headers.get(2L));
    assertThat(proofAt(methods, 2).path()).containsExactly(headers.get(3L), headers.get(4L));
    assertThat(proofAt(methods, 3).commitQc()).isEqualTo(certificates.get(4L));
    assertThat(proofAt(methods, 4).path()).containsExactly(headers.get(5L));
    assertThat(call(methods, "tandem_getFinalityProof", "0x5").isNull()).as("the tip").isTrue();
    assertThat(call(methods, "tandem_getFinalityProof", "0x9").isNull()).as("above the tip").isTrue();

    JsonNode reported = call(methods, "tandem_getValidators");
    assertThat(reported.get("validators")).hasSize(4);
    assertThat(reported.get("totalStake").asLong()).isEqualTo(4);
    assertThat(reported.get("chainId").asText()).isEqualTo(Hex.quantity(CHAIN));
  }

  @Test
  void aNodeWithoutConsensusAnswersWithAClearError() throws Exception {
    RpcMethods methods = methods(config(false));
    for (String name : List.of("tandem_getFinalityProof", "tandem_getValidators")) {
      Object[] params = name.equals("tandem_getValidators") ? new Object[0] : new Object[] {"0x1"};
      assertThatThrownBy(() -> call(methods, name, params)).isInstanceOf(RpcError.class)
          .hasMessageContaining("this node runs without consensus; no quorum certificates")
          .satisfies(e -> assertThat(((RpcError) e).code()).isEqualTo(VerificationMethods.NO_CONSENSUS));
    }
  }
}
