package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.TandemClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLifecycleTest {
  @TempDir
  Path dir;

  @Test
  void oneNodePerDataDirectory() {
    try (TandemNode node = TandemNode.start(TestNodes.config(dir.resolve("a")))) {
      assertThatThrownBy(() -> TandemNode.start(TestNodes.config(dir.resolve("a"))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("another node is running");
      assertThat(TandemClient.connect(node.rpcUrl()).blockNumber()).isZero();
    }
    // The lock is released on close: the directory can be used again.
    try (TandemNode again = TandemNode.start(TestNodes.config(dir.resolve("a")))) {
      assertThat(again.finalizedHeight()).isZero();
    }
  }

  @Test
  void busyPortFailsClearlyAndReleasesTheDirectory() {
    try (TandemNode node = TandemNode.start(TestNodes.config(dir.resolve("a")))) {
      int port = Integer.parseInt(node.rpcUrl().replaceAll(".*:(\\d+)/$", "$1"));
      NodeConfig clash = TestNodes.config(dir.resolve("b")).withRpcPort(port);
      assertThatThrownBy(() -> TandemNode.start(clash))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot listen on 127.0.0.1:" + port);
      try (TandemNode b = TandemNode.start(TestNodes.config(dir.resolve("b")))) {
        assertThat(b.rpcUrl()).isNotEqualTo(node.rpcUrl());
      }
    }
  }

  @Test
  void nodeKeyIsCreatedOnceAndKept() throws Exception {
    String first;
    try (TandemNode node = TandemNode.start(TestNodes.config(dir))) {
      first = node.nodeKey().toHex();
    }
    Path keyFile = dir.resolve(NodeKeys.FILE_NAME);
    assertThat(Files.getPosixFilePermissions(keyFile))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    try (TandemNode node = TandemNode.start(TestNodes.config(dir))) {
      assertThat(node.nodeKey().toHex()).isEqualTo(first);
    }
    Files.writeString(keyFile, "garbage\n");
    assertThatThrownBy(() -> TandemNode.start(TestNodes.config(dir)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("node key file");
  }

  @Test
  void chainIdFromConfigIsServed() {
    ObjectNode tree = TestNodes.JSON.createObjectNode().put("dataDir", dir.toString()).put("rpcPort", 0)
        .put("chainId", 99);
    try (TandemNode node = TandemNode.start(NodeConfig.fromTree(tree, dir))) {
      assertThat(TandemClient.connect(node.rpcUrl()).chainId()).isEqualTo(99);
      assertThat(node.wsUrl()).startsWith("ws://127.0.0.1:").endsWith("/ws");
    }
  }
}
