package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.adapters.pipeline.DaLayerSpec;
import dev.tandem.adapters.pipeline.EngineSpec;
import dev.tandem.adapters.pipeline.RollupSpec;
import dev.tandem.core.Namespace;
import dev.tandem.testsupport.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigAdaptersTest {
  @TempDir
  Path dir;

  /** The node config of the worked example in docs/adapters.md, as printed there. */
  private static String workedExample() throws Exception {
    String doc = Files.readString(RepoPaths.root().resolve("docs/adapters.md"));
    String section = doc.substring(doc.indexOf("## Worked example"));
    Matcher yaml = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(yaml.find()).as("docs/adapters.md has a YAML worked example").isTrue();
    return yaml.group(1);
  }

  @Test
  void theWorkedExampleOfTheDocsParses() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, workedExample());
    NodeConfig config = NodeConfig.load(file);
    assertThat(config.adapters()).isNotNull();
    assertThat(config.adapters().checkpointDir()).isEqualTo(dir.resolve("data/adapters").toAbsolutePath());
    assertThat(config.adapters().daLayers()).containsOnlyKeys("local", "l1-blobs");
    DaLayerSpec.Ethereum l1 = (DaLayerSpec.Ethereum) config.adapters().daLayers().get("l1-blobs");
    assertThat(l1.privateKeyFile()).isEqualTo(dir.resolve("secrets/batcher.key").toAbsolutePath());
    assertThat(config.adapters().rollups()).extracting(RollupSpec::kind).containsExactly("generic", "opstack", "evm");
    RollupSpec.OpStack op = (RollupSpec.OpStack) config.adapters().rollup(Namespace.of(901)).orElseThrow();
    assertThat(op.blobs()).isTrue();
    assertThat(op.engine()).isInstanceOf(EngineSpec.JsonRpc.class);
    assertThat(((RollupSpec.Evm) config.adapters().rollup(Namespace.of(31337)).orElseThrow()).simulate()).isTrue();
  }

  @Test
  void withoutTheSectionTheNodeRunsNoAdaptersAndCheckpointsDefaultUnderDataDir() throws Exception {
    Path plain = dir.resolve("plain.yaml");
    Files.writeString(plain, "dataDir: data\n");
    assertThat(NodeConfig.load(plain).adapters()).isNull();
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, """
        dataDir: data
        adapters:
          daLayers: {local: {type: local, dir: da}}
          rollups: [{namespace: 5, kind: generic, da: local}]
        """);
    assertThat(NodeConfig.load(file).adapters().checkpointDir()).isEqualTo(dir.resolve("data/adapters").toAbsolutePath());
  }

  @Test
  void aBadAdapterFieldIsAConfigErrorNamingItsPath() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, workedExample().replace("submission: blobs", "submission: carrier-pigeon"));
    assertThatThrownBy(() -> NodeConfig.load(file)).isInstanceOf(ConfigException.class)
        .hasMessage("config field 'adapters.rollups[1].submission' must be one of blobs, calldata, got 'carrier-pigeon'");
    Files.writeString(file, workedExample().replace("da: local", "da: locale"));
    assertThatThrownBy(() -> NodeConfig.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("'adapters.rollups[0].da' names DA layer 'locale'");
    Files.writeString(file, "dataDir: d\nadapters: [1]\n");
    assertThatThrownBy(() -> NodeConfig.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("'adapters' must be an object");
  }
}
