package dev.tandem.bench.p2p;

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

/**
 * A js-libp2p gossipsub node in a child process: p2p's interop peer ({@code p2p/src/test/js/peer.mjs})
 * in quiet mode, driven in lines over stdin/stdout. It prints {@code RECV <seq> <sentMicros> <recvMicros>}
 * per delivered message.
 */
final class JsGossipPeer implements AutoCloseable {
  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  final String address;

  JsGossipPeer(String topic, Duration lifetime) throws IOException, InterruptedException {
    Path root = RepoPaths.root();
    Path js = root.resolve("p2p/src/test/js");
    ProcessBuilder pb = new ProcessBuilder("node", "--import", js.resolve("polyfill.mjs").toUri().toString(),
        js.resolve("peer.mjs").toString(), topic, Long.toString(lifetime.toSeconds()), "quiet")
        .directory(root.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("NODE_PATH", RepoPaths.nodeModules().toString());
    process = pb.start();
    stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("ERR stdout closed: " + e);
      }
    }, "js-gossip-peer-stdout");
    reader.setDaemon(true);
    reader.start();
    String listen = expect(l -> l.startsWith("LISTEN "), Duration.ofSeconds(30));
    address = listen.substring("LISTEN ".length());
  }

  void send(String command) throws IOException {
    stdin.write(command + "\n");
    stdin.flush();
  }

  /** The next line matching {@code p} (others are skipped), or null when {@code timeout} passes first. */
  String poll(Predicate<String> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null || p.test(line)) {
        return line;
      }
    }
  }

  /** Like {@link #poll} but a missing line is an error. */
  String expect(Predicate<String> p, Duration timeout) throws InterruptedException {
    String line = poll(p, timeout);
    if (line == null) {
      throw new IllegalStateException("js-libp2p peer did not print the expected line within " + timeout);
    }
    return line;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      send("EXIT");
    } catch (IOException ignored) {
      // the process is already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
