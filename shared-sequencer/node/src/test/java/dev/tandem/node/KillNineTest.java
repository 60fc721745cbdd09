package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every transaction the node acknowledged survives {@code kill -9}: the node runs in a child JVM,
 * takes transactions while it is killed mid-stream, and a node restarted on the same directory has
 * each acknowledged one either finalized or pending, and every finalized block intact.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KillNineTest {
  private static final long CHAIN = 4242;
  private static final Namespace NS = Namespace.of(77);

  @TempDir
  Path dir;

  private Process startChild(Path config, Path log) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m", "-cp", classpath,
        ChildNode.class.getName(), config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String awaitUrl(Process child, Path log) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!child.isAlive()) {
        throw new AssertionError("child node exited early:\n" + Files.readString(log));
      }
      return Files.readAllLines(log).stream().filter(l -> l.startsWith(ChildNode.READY))
          .map(l -> l.substring(ChildNode.READY.length()).trim()).findFirst();
    }, Optional::isPresent).orElseThrow();
  }

  private static Transaction tx(KeyPair key, long nonce) {
    byte[] payload = ("tx-" + nonce).getBytes();
    return Transaction.sign(CHAIN, NS, nonce, 10 * (Transaction.OVERHEAD_BYTES + payload.length), payload, key);
  }

  @Test
  void acknowledgedTransactionsAndFinalizedBlocksSurviveKillNine() throws Exception {
    Path dataDir = dir.resolve("data");
    Path config = dir.resolve("node.json");
    Files.writeString(config, "{\"chainId\": " + CHAIN + ", \"dataDir\": \"data\", \"rpcPort\": 0,"
        + " \"blockIntervalMillis\": 20, \"lmdbMapSizeBytes\": 268435456}");
    Path log = dir.resolve("child.log");
    Process child = startChild(config, log);
    KeyPair streamer = KeyPair.generate(new Random(31));
    KeyPair gapper = KeyPair.generate(new Random(32));
    List<Hash> acknowledged = new CopyOnWriteArrayList<>();
    Transaction held;
    long heightBeforeKill;
    try {
      TandemClient client = TandemClient.connect(awaitUrl(child, log));
      // Nonce 1 without nonce 0: acknowledged and held, so it must come back pending.
      held = tx(gapper, 1);
      client.sendTransaction(held);

      Thread submitter = new Thread(() -> {
        for (long nonce = 0; nonce < 5_000; nonce++) {
          Transaction tx = tx(streamer, nonce);
          try {
            acknowledged.add(client.sendTransaction(tx));
          } catch (RpcException killed) {
            return;
          }
        }
      });
      submitter.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 100 && client.blockNumber() >= 2);
      heightBeforeKill = client.blockNumber();
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      submitter.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(submitter.isAlive()).isFalse();
    } finally {
      child.destroyForcibly();
    }

    try (TandemNode node = TandemNode.start(NodeConfig.load(config))) {
      TandemClient client = TandemClient.connect(node.rpcUrl());
      assertThat(node.finalizedHeight()).isGreaterThanOrEqualTo(heightBeforeKill);
      List<Hash> lost = new ArrayList<>();
      for (Hash id : acknowledged) {
        Optional<TxReceipt> receipt = client.receipt(id);
        if (receipt.isEmpty() || (receipt.get().status() != TxReceipt.Status.FINALIZED
            && receipt.get().status() != TxReceipt.Status.PENDING)) {
          lost.add(id);
        }
      }
      assertThat(lost).as("acknowledged transactions lost by kill -9").isEmpty();
      assertThat(client.receipt(held.id()).orElseThrow().status()).isEqualTo(TxReceipt.Status.PENDING);
      // The chain is intact: every block links to its parent.
      for (long h = 2; h <= node.finalizedHeight(); h++) {
        assertThat(node.blocks().get(h).orElseThrow().header().parentHash())
            .isEqualTo(node.blocks().get(h - 1).orElseThrow().hash());
      }
      // The restarted node finalizes whatever was pending and the gap once it fills.
      Hash last = acknowledged.get(acknowledged.size() - 1);
      assertThat(client.awaitFinal(last, Duration.ofSeconds(30)).status()).isEqualTo(TxReceipt.Status.FINALIZED);
      client.sendTransaction(tx(gapper, 0));
      assertThat(client.awaitFinal(held.id(), Duration.ofSeconds(30)).status()).isEqualTo(TxReceipt.Status.FINALIZED);
      // Admin methods are off by default.
      RpcException admin = org.assertj.core.api.Assertions.catchThrowableOfType(RpcException.class,
          () -> client.call("admin_nodeInfo"));
      assertThat(admin.code()).isEqualTo(-32601);
    }
    assertThat(Files.exists(dataDir.resolve(NodeKeys.FILE_NAME))).isTrue();
  }
}
