package dev.tandem.adapters.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.opstack.BatchInbox;
import dev.tandem.adapters.opstack.ChannelCompression;
import dev.tandem.core.Namespace;
import dev.tandem.da.eth.EthereumDa;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PipelineSpecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path BASE = Path.of("/etc/tandem");

  /** A valid spec with one DA layer of each type and one rollup of each kind. */
  private static ObjectNode valid() throws Exception {
    return (ObjectNode) JSON.readTree("""
        {
          "checkpointDir": "state",
          "pollIntervalMillis": 200,
          "daLayers": {
            "local": {"type": "local", "dir": "da"},
            "shared": {"type": "local-http", "url": "http://127.0.0.1:7070"},
            "l1": {"type": "ethereum-calldata", "rpcUrl": "http://l1:8545", "chainId": 11155111,
                   "privateKeyFile": "keys/batcher.key", "l2ChainId": 901,
                   "maxFeePerGasWei": 200000000000, "maxPriorityFeePerGasWei": "2000000000"},
            "blobs": {"type": "ethereum-blobs", "rpcUrl": "http://l1:8545", "chainId": 1,
                      "privateKeyFile": "/k", "inbox": "0x00000000000000000000000000000000000000ff",
                      "maxFeePerGasWei": 10, "maxPriorityFeePerGasWei": 1, "maxFeePerBlobGasWei": 5},
            "tia": {"type": "celestia", "url": "http://celestia:26658", "authTokenFile": "tok", "maxGasPrice": 0.1}
          },
          "rollups": [
            {"namespace": 100, "kind": "generic", "da": "local", "maxBlocks": 8},
            {"namespace": "0x385", "kind": "opstack", "da": "l1", "l2ChainId": 901, "submission": "calldata",
             "compression": "brotli", "engine": {"type": "json-rpc", "url": "http://op-geth:8545"}},
            {"namespace": 31337, "kind": "evm", "rpcUrl": "http://rollup:8545", "chainId": 31337, "simulate": true}
          ]
        }
        """);
  }

  private static PipelineSpec parse(JsonNode node) {
    return PipelineSpec.parse(node, "adapters", BASE, null);
  }

  @Test
  void parsesEveryTypeAndKindWithDefaultsAndResolvedPaths() throws Exception {
    PipelineSpec spec = parse(valid());
    assertThat(spec.checkpointDir()).isEqualTo(Path.of("/etc/tandem/state"));
    assertThat(spec.pollInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(spec.daLayers()).containsOnlyKeys("local", "shared", "l1", "blobs", "tia");
    assertThat(spec.daLayers().get("local")).isEqualTo(new DaLayerSpec.Local("local", Path.of("/etc/tandem/da")));
    DaLayerSpec.Ethereum l1 = (DaLayerSpec.Ethereum) spec.daLayers().get("l1");
    assertThat(l1.mode()).isEqualTo(EthereumDa.Mode.CALLDATA);
    assertThat(l1.inbox()).isEqualTo(BatchInbox.addressHex(901));
    assertThat(l1.privateKeyFile()).isEqualTo(Path.of("/etc/tandem/keys/batcher.key"));
    assertThat(l1.maxPriorityFeePerGasWei()).isEqualTo(BigInteger.valueOf(2_000_000_000L));
    assertThat(l1.inclusionTimeout()).isEqualTo(Duration.ofSeconds(120));
    DaLayerSpec.Ethereum blobs = (DaLayerSpec.Ethereum) spec.daLayers().get("blobs");
    assertThat(blobs.mode()).isEqualTo(EthereumDa.Mode.BLOBS);
    assertThat(blobs.inbox()).isEqualTo("0x00000000000000000000000000000000000000ff");
    DaLayerSpec.Celestia tia = (DaLayerSpec.Celestia) spec.daLayers().get("tia");
    assertThat(tia.namespacePrefix()).isEqualTo(0x5444);
    assertThat(tia.maxGasPrice()).isEqualTo(0.1);

    assertThat(spec.rollups()).extracting(RollupSpec::kind).containsExactly("generic", "opstack", "evm");
    assertThat(spec.rollups().get(0)).isEqualTo(new RollupSpec.Generic(Namespace.of(100), "local", 8, 512 * 1024));
    RollupSpec.OpStack op = (RollupSpec.OpStack) spec.rollups().get(1);
    assertThat(op.namespace()).isEqualTo(Namespace.of(0x385));
    assertThat(op.compression()).isEqualTo(ChannelCompression.BROTLI);
    assertThat(op.blobs()).isFalse();
    assertThat(op.firstL2Block()).isEqualTo(1);
    assertThat(op.engine()).isInstanceOf(EngineSpec.JsonRpc.class);
    assertThat(spec.rollups().get(2)).isEqualTo(new RollupSpec.Evm(Namespace.of(31337),
        java.net.URI.create("http://rollup:8545"), 31337, true));
    assertThat(spec.rollup(Namespace.of(31337))).isPresent();
    assertThat(spec.rollup(Namespace.of(5))).isEmpty();
  }

  @Test
  void checkpointDirFallsBackToTheNodesDefaultAndIsRequiredStandalone() throws Exception {
    ObjectNode node = valid();
    node.remove("checkpointDir");
    assertThat(PipelineSpec.parse(node, "adapters", BASE, Path.of("/data/adapters")).checkpointDir())
        .isEqualTo(Path.of("/data/adapters"));
    assertThatThrownBy(() -> PipelineSpec.parse(node, "", BASE, null))
        .hasMessage("config field 'checkpointDir' is required");
  }

  private static void rejects(Consumer<ObjectNode> edit, String path, String... fragments) throws Exception {
    ObjectNode node = valid();
    edit.accept(node);
    var thrown = assertThatThrownBy(() -> parse(node)).isInstanceOf(SpecException.class)
        .hasMessageContaining("'" + path + "'");
    for (String fragment : fragments) {
      thrown.hasMessageContaining(fragment);
    }
  }

  private static ObjectNode layer(ObjectNode root, String name) {
    return (ObjectNode) root.get("daLayers").get(name);
  }

  private static ObjectNode rollup(ObjectNode root, int index) {
    return (ObjectNode) root.get("rollups").get(index);
  }

  @Test
  void rejectsEachBadFieldNamingItsPath() throws Exception {
    rejects(n -> n.put("colour", "red"), "adapters.colour", "unknown", "rollups");
    rejects(n -> n.put("pollIntervalMillis", 1), "adapters.pollIntervalMillis", "10 to 60000");
    rejects(n -> n.put("rollups", "all"), "adapters.rollups", "non-empty list");
    rejects(n -> n.putArray("rollups"), "adapters.rollups", "non-empty list");
    rejects(n -> layer(n, "local").put("type", "s3"), "adapters.daLayers.local.type", "one of local, local-http");
    rejects(n -> layer(n, "local").remove("dir"), "adapters.daLayers.local.dir", "required");
    rejects(n -> layer(n, "local").put("url", "http://x"), "adapters.daLayers.local.url", "unknown");
    rejects(n -> layer(n, "shared").put("url", "ftp://x"), "adapters.daLayers.shared.url", "http(s) URL");
    rejects(n -> ((ObjectNode) n.get("daLayers")).set("bad name!", layer(n, "local")),
        "adapters.daLayers.bad name!", "not a usable DA layer name");
    rejects(n -> layer(n, "l1").put("inbox", "0x00000000000000000000000000000000000000ff"),
        "adapters.daLayers.l1.inbox", "exactly one");
    rejects(n -> layer(n, "l1").remove("l2ChainId"), "adapters.daLayers.l1.inbox", "exactly one");
    rejects(n -> layer(n, "blobs").put("inbox", "0x1234"), "adapters.daLayers.blobs.inbox", "40 hex digits");
    rejects(n -> layer(n, "l1").put("chainId", 0), "adapters.daLayers.l1.chainId", "must be 1 to");
    rejects(n -> layer(n, "l1").put("maxFeePerGasWei", -5), "adapters.daLayers.l1.maxFeePerGasWei", "non-negative");
    rejects(n -> layer(n, "l1").put("maxPriorityFeePerGasWei", "1e9"), "adapters.daLayers.l1.maxPriorityFeePerGasWei",
        "non-negative integer");
    rejects(n -> layer(n, "l1").put("maxPriorityFeePerGasWei", "300000000000"),
        "adapters.daLayers.l1.maxPriorityFeePerGasWei", "must not exceed maxFeePerGasWei");
    rejects(n -> layer(n, "l1").put("maxFeePerBlobGasWei", 1), "adapters.daLayers.l1.maxFeePerBlobGasWei",
        "only to type ethereum-blobs");
    rejects(n -> layer(n, "blobs").remove("maxFeePerBlobGasWei"), "adapters.daLayers.blobs.maxFeePerBlobGasWei",
        "required");
    rejects(n -> layer(n, "tia").put("gasPrice", 0.5), "adapters.daLayers.tia.gasPrice", "0 to maxGasPrice");
    rejects(n -> layer(n, "tia").put("maxGasPrice", 0), "adapters.daLayers.tia.maxGasPrice", "positive");

    rejects(n -> rollup(n, 0).remove("namespace"), "adapters.rollups[0].namespace", "required");
    rejects(n -> rollup(n, 0).put("namespace", 0), "adapters.rollups[0].namespace", "reserved system namespace");
    rejects(n -> rollup(n, 0).put("namespace", "0xzz"), "adapters.rollups[0].namespace", "not a namespace");
    rejects(n -> rollup(n, 0).put("namespace", -1), "adapters.rollups[0].namespace", "unsigned");
    rejects(n -> rollup(n, 1).put("namespace", 100), "adapters.rollups[1].namespace", "repeats");
    rejects(n -> rollup(n, 0).put("kind", "zk"), "adapters.rollups[0].kind", "one of generic, opstack, evm");
    rejects(n -> rollup(n, 0).put("da", "nowhere"), "adapters.rollups[0].da", "not in daLayers", "local");
    rejects(n -> rollup(n, 0).put("maxBytes", 10), "adapters.rollups[0].maxBytes", "1024 to");
    rejects(n -> rollup(n, 0).put("simulate", true), "adapters.rollups[0].simulate", "unknown");
    rejects(n -> rollup(n, 1).put("compression", "gzip"), "adapters.rollups[1].compression", "zlib, brotli");
    rejects(n -> rollup(n, 1).remove("submission"), "adapters.rollups[1].submission", "required");
    rejects(n -> rollup(n, 1).put("submission", "blobs"), "adapters.rollups[1].submission", "make them agree");
    rejects(n -> rollup(n, 1).remove("engine"), "adapters.rollups[1].engine", "required");
    rejects(n -> ((ObjectNode) rollup(n, 1).get("engine")).put("type", "grpc"), "adapters.rollups[1].engine.type",
        "json-rpc, static");
    rejects(n -> ((ObjectNode) rollup(n, 1).get("engine")).put("url", "op-geth:8545"),
        "adapters.rollups[1].engine.url", "http(s) URL");
    rejects(n -> ((ObjectNode) rollup(n, 1).get("engine")).put("l1OriginNumber", 5),
        "adapters.rollups[1].engine.l1OriginNumber", "unknown");
    rejects(n -> rollup(n, 2).put("simulate", "yes"), "adapters.rollups[2].simulate", "true or false");
    rejects(n -> rollup(n, 2).remove("chainId"), "adapters.rollups[2].chainId", "required");
    rejects(n -> ((ArrayNode) n.get("rollups")).add("generic"), "adapters.rollups[3]", "object of fields");
  }

  @Test
  void staticEngineTakesItsFixedValues() throws Exception {
    ObjectNode node = valid();
    rollup(node, 1).set("engine", JSON.readTree("""
        {"type": "static", "l1OriginNumber": 7, "genesisTimestamp": 1000, "blockTimeSeconds": 2,
         "l1OriginHash": "0x0101010101010101010101010101010101010101010101010101010101010101"}"""));
    EngineSpec.Static engine = (EngineSpec.Static) ((RollupSpec.OpStack) parse(node).rollups().get(1)).engine();
    assertThat(engine.l1OriginNumber()).isEqualTo(7);
    var attributes = engine.open().blockAttributes(5);
    assertThat(attributes.timestamp()).isEqualTo(1010);
    assertThat(attributes.epochNumber()).isEqualTo(7);
    assertThat(attributes.epochHash()[31]).isEqualTo((byte) 1);
    assertThat(engine.open().blockAttributes(6).parentHash()).isNotEqualTo(attributes.parentHash());
  }

  @Test
  void openingAnEthereumLayerWithoutItsKeyFileSaysWhichFileAndField() throws Exception {
    DaLayerSpec l1 = parse(valid()).daLayers().get("l1");
    assertThatThrownBy(() -> l1.open(Path.of("/tmp/unused")))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("privateKeyFile").hasMessageContaining("/etc/tandem/keys/batcher.key");
  }
}
