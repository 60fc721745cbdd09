package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
  @TempDir
  Path dir;

  @Test
  void defaultsAreLoopbackWithAdminOff() {
    NodeConfig config = NodeConfig.defaults(dir);
    assertThat(config.rpcHost()).isEqualTo("127.0.0.1");
    assertThat(config.adminEnabled()).isFalse();
    assertThat(config.metricsEnabled()).isTrue();
    assertThat(config.maxTxPayloadBytes()).isEqualTo(128 * 1024);
    assertThat(config.blockInterval()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void loadsJsonWithDefaultsAndRelativeDataDir() throws Exception {
    Path file = write("node.json", "{\"chainId\": 7, \"dataDir\": \"data\", \"rpcPort\": 0, \"blockIntervalMillis\": 50}");
    NodeConfig config = NodeConfig.load(file);
    assertThat(config.chainId()).isEqualTo(7);
    assertThat(config.dataDir()).isEqualTo(dir.resolve("data").toAbsolutePath());
    assertThat(config.rpcPort()).isZero();
    assertThat(config.blockInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.mempoolCapacity()).isEqualTo(NodeConfig.defaults(dir).mempoolCapacity());
  }

  @Test
  void loadsYaml() throws Exception {
    Path file = write("node.yaml", "chainId: 9\ndataDir: /tmp/x\nadminEnabled: true\nminFeePerByte: 0\n");
    NodeConfig config = NodeConfig.load(file);
    assertThat(config.chainId()).isEqualTo(9);
    assertThat(config.adminEnabled()).isTrue();
    assertThat(config.minFeePerByte()).isZero();
    assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void errorsNameTheBadField() throws Exception {
    assertThatThrownBy(() -> NodeConfig.load(write("a.json", "{\"dataDir\":\"d\",\"rpcPort\":70000}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'rpcPort'");
    assertThatThrownBy(() -> NodeConfig.load(write("b.json", "{\"dataDir\":\"d\",\"blockIntervalMillis\":\"fast\"}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'blockIntervalMillis'").hasMessageContaining("integer");
    assertThatThrownBy(() -> NodeConfig.load(write("c.json", "{\"dataDir\":\"d\",\"maxTxPayloadBytes\":0}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'maxTxPayloadBytes'");
    assertThatThrownBy(() -> NodeConfig.load(write("d.json", "{\"dataDir\":\"d\",\"colour\":\"red\"}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'colour' is unknown");
    assertThatThrownBy(() -> NodeConfig.load(write("e.json", "{\"chainId\":1}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'dataDir' is required");
    assertThatThrownBy(() -> NodeConfig.load(write("f.json", "{\"dataDir\":\"d\",\"adminEnabled\":\"yes\"}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'adminEnabled'");
    assertThatThrownBy(() -> NodeConfig.load(write("g.json",
        "{\"dataDir\":\"d\",\"maxTxPayloadBytes\":500000,\"maxRpcBodyBytes\":100000}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'maxRpcBodyBytes'");
    assertThatThrownBy(() -> NodeConfig.load(write("h.json", "{\"dataDir\":\"d\",\"perSenderPendingLimit\":0}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'perSenderPendingLimit'");
  }

  @Test
  void malformedFilesFailClearly() throws Exception {
    assertThatThrownBy(() -> NodeConfig.load(write("bad.json", "{\"dataDir\": ")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> NodeConfig.load(write("bad.yaml", "dataDir: [unclosed\n")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
    assertThatThrownBy(() -> NodeConfig.load(write("list.json", "[1,2]")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("object");
    assertThatThrownBy(() -> NodeConfig.load(dir.resolve("missing.json")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }
}
