package dev.tandem.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.adapters.pipeline.DaLayerSpec;
import dev.tandem.adapters.pipeline.PipelineSpec;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
import dev.tandem.node.NodeConfig;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compose file and the local-process launcher describe one topology: a DA service and four
 * validators whose configs load, name each other as validators and bootstrap peers, and carry
 * the keys shipped for them. (No Docker engine here: the compose file is checked, not run.)
 */
class DevnetTopologyTest {
  private static final int NODES = 4;
  private final Path devnet = Paths.get(System.getProperty("tandem.root", "..")).resolve("devnet");

  private List<KeyPair> keys() throws Exception {
    List<KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      keys.add(KeyPair.fromSeed(Hex.decode(Files.readString(devnet.resolve("keys/sequencer-" + i + ".hex")).trim())));
    }
    return keys;
  }

  private static void assertIsTheValidatorSet(NodeConfig config, List<KeyPair> keys, int self) {
    assertThat(config.consensusEnabled()).isTrue();
    List<PublicKey> validators = config.consensus().validators().stream().map(NodeConfig.Validator::publicKey).toList();
    assertThat(validators).containsExactlyElementsOf(keys.stream().map(KeyPair::publicKey).toList());
    Set<PeerId> bootstrap = new HashSet<>();
    for (String peer : config.bootstrapPeers()) {
      bootstrap.add(Multiaddr.parse(peer).peerId().orElseThrow());
    }
    Set<PeerId> others = new HashSet<>();
    for (int j = 0; j < keys.size(); j++) {
      if (j != self) {
        others.add(PeerId.fromEd25519PublicKey(keys.get(j).publicKey().toBytes()));
      }
    }
    assertThat(bootstrap).isEqualTo(others);
  }

  @Test
  void composeFileRunsTheDaAndFourValidatorsWithTheirOwnKeysAndConfigs() throws Exception {
    JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(devnet.resolve("docker-compose.yml").toFile());
    JsonNode services = compose.get("services");
    assertThat(services.has("da")).isTrue();
    assertThat(services.get("da").get("command").toString()).contains("serve");
    List<KeyPair> keys = keys();
    for (int i = 0; i < NODES; i++) {
      JsonNode service = services.get("sequencer-" + i);
      assertThat(service).as("service sequencer-%d", i).isNotNull();
      String entrypoint = service.get("entrypoint").toString();
      assertThat(entrypoint).contains("/devnet/keys/sequencer-" + i + ".hex").contains("/devnet/config/sequencer-" + i + ".yaml");
      NodeConfig config = NodeConfig.load(devnet.resolve("config/sequencer-" + i + ".yaml"));
      assertThat(config.rpcHost()).isEqualTo("0.0.0.0");
      assertIsTheValidatorSet(config, keys, i);
      for (String peer : config.bootstrapPeers()) {
        String host = peer.split("/")[2];
        assertThat(services.has(host)).as("bootstrap host %s is a compose service", host).isTrue();
      }
    }
    // The adapters read sequencer-0 and post to the DA service, checking QCs against the devnet set.
    String adapters = services.get("adapters").get("command").toString();
    assertThat(adapters).contains("http://sequencer-0:8545").contains("/devnet/config/adapters.yaml")
        .contains("/devnet/config/validators.json");
    PipelineSpec spec = adapterSpec(devnet.resolve("config/adapters.yaml"));
    DaLayerSpec.LocalHttp da = (DaLayerSpec.LocalHttp) spec.daLayers().values().iterator().next();
    assertThat(services.has(da.url().getHost())).as("DA host %s is a compose service", da.url().getHost()).isTrue();
    assertThat(ValidatorsFile.members(devnet.resolve("config/validators.json")))
        .containsExactlyElementsOf(keys.stream().map(KeyPair::publicKey).toList());
  }

  private static PipelineSpec adapterSpec(Path file) throws Exception {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    return PipelineSpec.parse(root, "", file.getParent(), null);
  }

  /** The public keys listed in a {validators: [{publicKey, stake}]} file. */
  private static final class ValidatorsFile {
    static List<PublicKey> members(Path file) throws Exception {
      List<PublicKey> out = new ArrayList<>();
      for (JsonNode entry : new ObjectMapper().readTree(file.toFile()).get("validators")) {
        out.add(PublicKey.fromHex(entry.get("publicKey").asText()));
      }
      return out;
    }
  }

  @Test
  void localLauncherDerivesTheSameTopologyOnLoopback(@TempDir Path dir) throws Exception {
    Process process = new ProcessBuilder("bash", devnet.resolve("run-local.sh").toString(), "--configs-only",
        dir.toString()).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
    List<KeyPair> keys = keys();
    Set<String> listenAddresses = new HashSet<>();
    Set<Integer> rpcPorts = new HashSet<>();
    List<NodeConfig> configs = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      NodeConfig config = NodeConfig.load(dir.resolve("sequencer-" + i + ".yaml"));
      configs.add(config);
      assertThat(config.rpcHost()).isEqualTo("127.0.0.1");
      assertThat(config.dataDir()).isEqualTo(dir.resolve("sequencer-" + i));
      assertThat(Files.readString(config.dataDir().resolve("node-key.hex")).trim())
          .isEqualTo(Hex.encode(keys.get(i).seed()));
      assertIsTheValidatorSet(config, keys, i);
      listenAddresses.add(config.p2pListen());
      rpcPorts.add(config.rpcPort());
    }
    assertThat(listenAddresses).hasSize(NODES);
    assertThat(rpcPorts).hasSize(NODES);
    PipelineSpec adapters = adapterSpec(dir.resolve("adapters.yaml"));
    assertThat(adapters.checkpointDir()).isEqualTo(dir.resolve("adapters"));
    DaLayerSpec.LocalHttp da = (DaLayerSpec.LocalHttp) adapters.daLayers().values().iterator().next();
    assertThat(da.url().toString()).isEqualTo("http://127.0.0.1:7070");
    // Every bootstrap address is another node's listen address.
    for (NodeConfig config : configs) {
      for (String peer : config.bootstrapPeers()) {
        assertThat(listenAddresses).contains(peer.substring(0, peer.indexOf("/p2p/")));
      }
    }
  }
}
