package dev.tandem.p2p;

import dev.tandem.testsupport.RepoPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A js-libp2p node (src/test/js/peer.mjs) in a child process, spoken to in lines over stdin/stdout. */
final class JsPeer implements AutoCloseable {
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final Multiaddr address;

  JsPeer(String topic, int lifetimeSeconds) throws IOException, InterruptedException {
    this(topic, lifetimeSeconds, false);
  }

  /** @param quiet benchmark mode: the peer prints RECV timing lines, which are not echoed here */
  JsPeer(String topic, int lifetimeSeconds, boolean quiet) throws IOException, InterruptedException {
    Path root = RepoPaths.root();
    RepoPaths.nodeModules();
    Path js = root.resolve("p2p/src/test/js");
    ProcessBuilder pb = new ProcessBuilder("node", "--import", js.resolve("polyfill.mjs").toUri().toString(),
        js.resolve("peer.mjs").toString(), topic, Integer.toString(lifetimeSeconds), quiet ? "quiet" : "verbose")
        .directory(root.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("NODE_PATH", RepoPaths.nodeModules().toString());
    process = pb.start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (!quiet) {
            System.out.println("[js] " + line);
          }
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("ERR stdout closed: " + e);
      }
    }, "js-peer-stdout");
    reader.setDaemon(true);
    reader.start();
    String listen = expect(l -> l.startsWith("LISTEN "), Duration.ofSeconds(30));
    address = Multiaddr.parse(listen.substring("LISTEN ".length()));
  }

  PeerId peerId() {
    return address.peerId().orElseThrow();
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** Waits for a line matching {@code p}, skipping others; fails after {@code timeout}. */
  String expect(Predicate<String> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("js peer did not print the expected line within " + timeout);
      }
      if (p.test(line)) {
        return line;
      }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      send("EXIT");
    } catch (IOException ignored) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
