package dev.tandem.node.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.node.ConfigException;
import dev.tandem.node.NodeConfig;
import dev.tandem.p2p.Identity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class P2pConfigTest {
  private static final String PEER = Identity.fromSeed(new byte[32]).peerId().toString();

  @TempDir Path dir;

  private NodeConfig load(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return NodeConfig.load(file);
  }

  @Test
  void p2pIsOffByDefault() throws Exception {
    NodeConfig config = load("node.json", "{\"dataDir\": \"data\"}");
    assertThat(config.p2pEnabled()).isFalse();
    assertThat(config.p2pListen()).isNull();
    assertThat(config.bootstrapPeers()).isEmpty();
    assertThat(NodeConfig.defaults(dir).p2pEnabled()).isFalse();
  }

  @Test
  void loadsListenAndBootstrapPeersFromYamlAndJson() throws Exception {
    NodeConfig yaml = load("node.yaml", """
        dataDir: data
        p2pListen: /ip4/127.0.0.1/tcp/9000
        bootstrapPeers:
          - /ip4/127.0.0.1/tcp/9001/p2p/%s
          - /dns4/seq-2.example/tcp/9000/p2p/%s
        """.formatted(PEER, PEER));
    assertThat(yaml.p2pListen()).isEqualTo("/ip4/127.0.0.1/tcp/9000");
    assertThat(yaml.bootstrapPeers()).containsExactly("/ip4/127.0.0.1/tcp/9001/p2p/" + PEER,
        "/dns4/seq-2.example/tcp/9000/p2p/" + PEER);
    NodeConfig json = load("node.json", "{\"dataDir\": \"data\", \"p2pListen\": \"/ip4/0.0.0.0/tcp/0\"}");
    assertThat(json.p2pEnabled()).isTrue();
    assertThat(json.bootstrapPeers()).isEmpty();
  }

  @Test
  void badValuesNameTheField() {
    assertThatThrownBy(() -> load("a.json", "{\"dataDir\": \"d\", \"p2pListen\": \"ip4/1.2.3.4/tcp/1\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'p2pListen'");
    assertThatThrownBy(() -> load("b.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/udp/1\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'p2pListen'").hasMessageContaining("TCP");
    assertThatThrownBy(() -> load("c.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/tcp/99999\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'p2pListen'");
    assertThatThrownBy(() -> load("d.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/tcp/1\","
        + " \"bootstrapPeers\": [\"/ip4/127.0.0.1/tcp/2\"]}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'bootstrapPeers'").hasMessageContaining("/p2p/");
    assertThatThrownBy(() -> load("e.json", "{\"dataDir\": \"d\", \"bootstrapPeers\": [\"/ip4/127.0.0.1/tcp/2/p2p/"
        + PEER + "\"]}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("needs p2pListen");
    assertThatThrownBy(() -> load("f.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/tcp/1\","
        + " \"bootstrapPeers\": \"/ip4/127.0.0.1/tcp/2\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("list of strings");
    assertThatThrownBy(() -> load("g.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/tcp/1\","
        + " \"bootstrapPeers\": [\"/ip4/127.0.0.1/tcp/2/p2p/notbase58!\"]}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'bootstrapPeers'");
    assertThatThrownBy(() -> load("h.json", "{\"dataDir\": \"d\", \"p2pListen\": \"/ip4/127.0.0.1/tcp/1/p2p/"
        + PEER + "\"}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("peer id");
    assertThatThrownBy(() -> load("i.json", "{\"dataDir\": \"d\", \"p2pPeers\": []}"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown");
  }

  @Test
  void withP2pValidatesToo() {
    NodeConfig on = NodeConfig.defaults(dir).withP2p("/ip4/127.0.0.1/tcp/0", List.of("/ip4/127.0.0.1/tcp/5/p2p/" + PEER));
    assertThat(on.p2pEnabled()).isTrue();
    assertThat(on.withRpcPort(0).withChainId(7).bootstrapPeers()).hasSize(1);
    assertThat(on.withP2p(null, List.of()).p2pEnabled()).isFalse();
    assertThatThrownBy(() -> NodeConfig.defaults(dir).withP2p(null, List.of("/ip4/127.0.0.1/tcp/5/p2p/" + PEER)))
        .isInstanceOf(ConfigException.class);
  }
}
