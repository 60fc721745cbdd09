package dev.tandem.p2p;

import dev.tandem.p2p.gossip.GossipConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gossip throughput and latency: N of our hosts on loopback against the same topology of
 * js-libp2p nodes, in one run. Not a test; run with
 * {@code mvn -o -q -pl p2p test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.tandem.p2p.GossipBench -Dexec.args="6 2000 256"}.
 * Node 0 publishes; every other node subscribes. Latency is publish-to-delivery on one clock.
 */
public final class GossipBench {
  private static final String TOPIC = "bench";

  private GossipBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int paced = Math.min(200, count);
    System.out.printf("gossip bench: %d nodes, ring + chords, %d-byte messages%n", n, size);
    Result javaPaced = runJava(n, paced, size, 20);
    Result javaBurst = runJava(n, count, size, 0);
    Result jsPaced = runJs(n, paced, size, 20);
    Result jsBurst = runJs(n, count, size, 0);
    System.out.println("impl       mode              msgs  delivered  throughput(msg/s)  p50(ms)  p99(ms)");
    javaPaced.print("java", "paced 50/s");
    jsPaced.print("js-libp2p", "paced 50/s");
    javaBurst.print("java", "burst");
    jsBurst.print("js-libp2p", "burst");
    System.exit(0);
  }

  record Result(int messages, int receivers, int delivered, double seconds, long[] latenciesMicros) {
    void print(String impl, String mode) {
      long[] l = latenciesMicros.clone();
      Arrays.sort(l);
      double p50 = l.length == 0 ? Double.NaN : l[l.length / 2] / 1000.0;
      double p99 = l.length == 0 ? Double.NaN : l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1000.0;
      System.out.printf("%-10s %-16s %5d %10d %18.0f %8.2f %8.2f%n", impl, mode, messages,
          delivered, delivered / (double) receivers / seconds, p50, p99);
    }
  }

  private static long nowMicros() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  private static List<int[]> edges(int n) {
    List<int[]> e = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      e.add(new int[] {i, (i + 1) % n});
      if (n > 3 && i < n / 2) {
        e.add(new int[] {i, (i + n / 2) % n});
      }
    }
    return e;
  }

  private static Result runJava(int n, int count, int size, int intervalMs) throws Exception {
    List<Libp2pHost> hosts = new ArrayList<>();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicInteger delivered = new AtomicInteger();
    try {
      for (int i = 0; i < n; i++) {
        Libp2pHost h = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .withGossip(GossipConfig.defaults().withHeartbeatInterval(Duration.ofMillis(500))));
        h.gossip().subscribe(TOPIC, m -> {
          long now = nowMicros();
          String head = new String(m.data(), 0, Math.min(40, m.data().length), StandardCharsets.US_ASCII);
          latencies.add(now - Long.parseLong(head.split(":")[1]));
          delivered.incrementAndGet();
        });
        h.start();
        hosts.add(h);
      }
      for (int[] e : edges(n)) {
        hosts.get(e[0]).dial(hosts.get(e[1]).listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      }
      Thread.sleep(3000); // let subscriptions spread and meshes form
      long start = System.nanoTime();
      int expected = count * (n - 1);
      for (int i = 0; i < count; i++) {
        String head = i + ":" + nowMicros() + ":";
        StringBuilder sb = new StringBuilder(head);
        while (sb.length() < size) {
          sb.append('x');
        }
        hosts.get(0).gossip().publish(TOPIC, sb.toString().getBytes(StandardCharsets.US_ASCII));
        if (intervalMs > 0) {
          Thread.sleep(intervalMs);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (delivered.get() < expected && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      double secs = (System.nanoTime() - start) / 1e9;
      return new Result(count, n - 1, delivered.get(), secs, latencies.stream().mapToLong(Long::longValue).toArray());
    } finally {
      hosts.forEach(Libp2pHost::close);
    }
  }

  private static Result runJs(int n, int count, int size, int intervalMs) throws Exception {
    List<JsPeer> peers = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        peers.add(new JsPeer(TOPIC, 600, true));
      }
      for (int[] e : edges(n)) {
        peers.get(e[0]).send("DIAL " + peers.get(e[1]).address);
        peers.get(e[0]).expect(l -> l.startsWith("DIALED ") || l.startsWith("ERR"), Duration.ofSeconds(30));
      }
      peers.get(0).send("WAITSUB " + TOPIC + " 2");
      peers.get(0).expect(l -> l.startsWith("SUBSCRIBERS"), Duration.ofSeconds(30));
      Thread.sleep(3000);
      long start = System.nanoTime();
      peers.get(0).send("BURST " + TOPIC + " " + count + " " + size + " " + intervalMs);
      List<Long> latencies = new ArrayList<>();
      int delivered = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      for (int i = 1; i < n; i++) {
        for (int k = 0; k < count; k++) {
          long left = deadline - System.nanoTime();
          String line;
          try {
            line = peers.get(i).expect(l -> l.startsWith("RECV "), Duration.ofNanos(Math.max(1, left)));
          } catch (AssertionError timeout) {
            break;
          }
          String[] p = line.split(" ");
          latencies.add(Long.parseLong(p[3]) - Long.parseLong(p[2]));
          delivered++;
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      return new Result(count, n - 1, delivered, secs, latencies.stream().mapToLong(Long::longValue).toArray());
    } finally {
      for (JsPeer p : peers) {
        p.close();
      }
    }
  }
}
