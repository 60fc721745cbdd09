package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.ChildNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four validators as four JVM processes. One is killed with SIGKILL (no shutdown, no flush):
 * the other three keep finalizing; the killed one restarts on its data directory, rejoins
 * consensus and catches up to the same log.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ConsensusKillNineTest {
  @TempDir
  Path root;

  private ValidatorNetworkFixture fixture;
  private final Process[] processes = new Process[4];
  private final String[] urls = new String[4];
  private final KeyPair user = KeyPair.generate(new Random(5));
  private long nonce;

  @AfterEach
  void killAll() {
    for (Process process : processes) {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }

  private void start(int index) throws Exception {
    Path config = fixture.writeConfig(index, 300);
    Path log = fixture.dirs.get(index).resolve("child-" + System.nanoTime() + ".log");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "--add-opens", "java.base/java.nio=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
        ChildNode.class.getName(), config.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes[index] = process;
    urls[index] = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("validator " + index + " exited early:\n" + Files.readString(log));
      }
      return Files.readAllLines(log).stream().filter(l -> l.startsWith(ChildNode.READY))
          .map(l -> l.substring(ChildNode.READY.length()).trim()).findFirst();
    }, Optional::isPresent).orElseThrow();
  }

  private Hash send(int index, String payload) {
    Transaction tx = Transaction.sign(ValidatorNetworkFixture.CHAIN, Namespace.of(900), nonce++, 100_000,
        payload.getBytes(StandardCharsets.UTF_8), user);
    return TandemClient.connect(urls[index]).sendTransaction(tx);
  }

  private boolean finalizedOn(int index, Hash id) {
    try {
      return TandemClient.connect(urls[index]).receipt(id)
          .map(r -> r.status() == TxReceipt.Status.FINALIZED).orElse(false);
    } catch (RuntimeException notReachableYet) {
      return false;
    }
  }

  private String blockHash(int index, long height) {
    return TandemClient.connect(urls[index]).block(height, false).path("hash").asText();
  }

  @Test
  void aKilledValidatorDoesNotStopFinalityAndCatchesUpAfterRestart() throws Exception {
    fixture = new ValidatorNetworkFixture(root, 4, 23);
    for (int i = 0; i < 4; i++) {
      start(i);
    }
    List<Hash> before = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      before.add(send(i, "before-" + i));
    }
    await().atMost(Duration.ofSeconds(90)).until(() -> before.stream()
        .allMatch(id -> finalizedOn(0, id) && finalizedOn(1, id) && finalizedOn(2, id) && finalizedOn(3, id)));

    processes[3].destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL
    Hash whileDead = send(1, "while-3-is-dead");
    await().atMost(Duration.ofSeconds(90)).until(() -> finalizedOn(0, whileDead) && finalizedOn(1, whileDead)
        && finalizedOn(2, whileDead));

    start(3);
    Hash afterRestart = send(3, "after-restart");
    await().atMost(Duration.ofSeconds(90)).until(() -> finalizedOn(3, whileDead) && finalizedOn(3, afterRestart)
        && finalizedOn(0, afterRestart));
    long height = TandemClient.connect(urls[3]).receipt(afterRestart).orElseThrow().blockHeight();
    for (long h = 1; h <= height; h++) {
      assertThat(blockHash(3, h)).as("height %d", h).isEqualTo(blockHash(0, h));
    }
  }
}
