package dev.tandem.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real anvil Ethereum node on a free loopback port, started with the Prague hardfork so that it
 * accepts EIP-4844 blob transactions. Close it to stop the process.
 */
public final class AnvilProcess implements AutoCloseable {
  /** The first of anvil's ten default dev accounts; its key is public knowledge, for tests only. */
  public static final String DEV_PRIVATE_KEY =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  public static final String DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  /**
   * The keys of anvil's first three dev accounts (mnemonic "test test ... junk"), each funded with
   * 10000 ether on every chain id: distinct senders for tests such as a two-party swap.
   */
  public static final List<String> DEV_PRIVATE_KEYS = List.of(
      DEV_PRIVATE_KEY,
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
      "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

  private final Process process;
  private final int port;
  private final Path log;

  private AnvilProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts anvil with the given chain id and extra flags, and waits until it answers JSON-RPC. */
  public static AnvilProcess start(long chainId, String... extraArgs) {
    int port = FreePorts.next();
    List<String> command = new ArrayList<>(List.of(
        RepoPaths.anvilBinary().toString(),
        "--host", "127.0.0.1",
        "--port", Integer.toString(port),
        "--chain-id", Long.toString(chainId),
        "--hardfork", "prague",
        "--silent"));
    command.addAll(List.of(extraArgs));
    try {
      Path log = Files.createTempFile("anvil-" + port + "-", ".log");
      Process process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      AnvilProcess anvil = new AnvilProcess(process, port, log);
      anvil.awaitReady(Duration.ofSeconds(30));
      return anvil;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start anvil", e);
    }
  }

  public static AnvilProcess start(long chainId) {
    return start(chainId, new String[0]);
  }

  public String rpcUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  private void awaitReady(Duration timeout) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl()))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(2))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
        .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("anvil exited with " + process.exitValue() + "; log: " + readLog());
      }
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("result")) {
          return;
        }
      } catch (IOException notYetListening) {
        // anvil has not bound its port yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for anvil", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for anvil", e);
      }
    }
    close();
    throw new IllegalStateException("anvil did not answer on " + rpcUrl() + " within " + timeout + "; log: " + readLog());
  }

  private String readLog() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a leftover temp log is harmless
    }
  }
}
