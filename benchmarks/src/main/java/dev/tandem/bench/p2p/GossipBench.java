package dev.tandem.bench.p2p;

import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.gossip.GossipConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Gossip throughput and delivery latency: N tandem-p2p hosts on loopback, then the same topology of
 * js-libp2p 3 / {@code @libp2p/gossipsub} nodes, in one run. Node 0 publishes; every other node
 * subscribes and delivers. Each message carries its publish time; latency is publish-to-delivery on
 * the wall clock of the one machine. Two modes per implementation: paced (one message every 20 ms,
 * the per-hop cost) and a burst of {@code count} messages (throughput; latency is then queueing).
 *
 * <p>Usage: {@code benchmarks/run.sh gossip [nodes] [burstCount] [payloadBytes]} (defaults 6 2000 256).
 */
public final class GossipBench {
  private static final String TOPIC = "bench";
  private static final int PACED_INTERVAL_MS = 20;
  private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration MESH_SETTLE = Duration.ofSeconds(3);

  private GossipBench() {}

  /** One run: {@code delivered} of {@code messages * receivers}, over the first-publish-to-last-delivery window. */
  public record Result(String impl, String mode, int messages, int receivers, int payloadBytes, int delivered,
      double seconds, Histogram latencyMicros) {
    /** Deliveries per second at one receiver. */
    public double perReceiverMessagesPerSecond() {
      return delivered / (double) receivers / seconds;
    }

    public double perReceiverMegabytesPerSecond() {
      return perReceiverMessagesPerSecond() * payloadBytes / 1e6;
    }

    public double p50Millis() {
      return latencyMicros.getValueAtPercentile(50) / 1000.0;
    }

    public double p99Millis() {
      return latencyMicros.getValueAtPercentile(99) / 1000.0;
    }

    String row() {
      return String.format("%-10s %-14s %5d %7d/%-7d %10.0f %8.3f %9.2f %9.2f", impl, mode, messages, delivered,
          messages * receivers, perReceiverMessagesPerSecond(), perReceiverMegabytesPerSecond(), p50Millis(),
          p99Millis());
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    if (n < 2 || count < 1 || size < 40) {
      throw new IllegalArgumentException("need nodes >= 2, count >= 1, payloadBytes >= 40 (the timestamp header)");
    }
    int paced = Math.min(200, count);
    System.out.printf("gossip bench: %d nodes (ring + chords) on loopback, %d-byte messages, %d cores%n", n, size,
        Runtime.getRuntime().availableProcessors());
    List<Result> results = List.of(
        runTandem(n, paced, size, PACED_INTERVAL_MS),
        runJs(n, paced, size, PACED_INTERVAL_MS),
        runTandem(n, count, size, 0),
        runJs(n, count, size, 0));
    System.out.println("impl       mode            msgs  delivered       msg/s/rcv  MB/s/rcv   p50(ms)   p99(ms)");
    results.forEach(r -> System.out.println(r.row()));
    Result tandemBurst = results.get(2);
    Result jsBurst = results.get(3);
    System.out.printf("burst throughput tandem/js %.2f, burst p50 tandem/js %.2f, paced p50 tandem/js %.2f%n",
        tandemBurst.perReceiverMessagesPerSecond() / jsBurst.perReceiverMessagesPerSecond(),
        tandemBurst.p50Millis() / jsBurst.p50Millis(), results.get(0).p50Millis() / results.get(1).p50Millis());
    System.exit(0);
  }

  /** Ring plus chords to the opposite side, so that the mesh has more than one path. */
  static List<int[]> edges(int n) {
    List<int[]> e = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      e.add(new int[] {i, (i + 1) % n});
      if (n > 3 && i < n / 2) {
        e.add(new int[] {i, (i + n / 2) % n});
      }
    }
    return e;
  }

  private static long nowMicros() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
  }

  /** {@code <seq>:<publishMicros>:} padded with 'x' to {@code size} bytes; the js peer writes the same header. */
  private static byte[] message(int seq, int size) {
    StringBuilder sb = new StringBuilder().append(seq).append(':').append(nowMicros()).append(':');
    while (sb.length() < size) {
      sb.append('x');
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static long sentMicros(byte[] data) {
    String head = new String(data, 0, Math.min(40, data.length), StandardCharsets.US_ASCII);
    return Long.parseLong(head.split(":")[1]);
  }

  private static String mode(int intervalMs) {
    return intervalMs > 0 ? "paced " + (1000 / intervalMs) + "/s" : "burst";
  }

  public static Result runTandem(int n, int count, int size, int intervalMs) throws Exception {
    List<Libp2pHost> hosts = new ArrayList<>();
    Histogram latency = new Histogram(3_600_000_000L, 3);
    AtomicInteger delivered = new AtomicInteger();
    AtomicLong lastDelivery = new AtomicLong();
    try {
      for (int i = 0; i < n; i++) {
        Libp2pHost h = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
            .withGossip(GossipConfig.defaults().withHeartbeatInterval(Duration.ofMillis(500))));
        h.gossip().subscribe(TOPIC, m -> {
          long now = nowMicros();
          synchronized (latency) {
            latency.recordValue(Math.max(0, now - sentMicros(m.data())));
          }
          lastDelivery.accumulateAndGet(now, Math::max);
          delivered.incrementAndGet();
        });
        h.start();
        hosts.add(h);
      }
      for (int[] e : edges(n)) {
        hosts.get(e[0]).dial(hosts.get(e[1]).listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      }
      Thread.sleep(MESH_SETTLE.toMillis()); // subscriptions spread and meshes form on heartbeats
      long firstPublish = nowMicros();
      int expected = count * (n - 1);
      for (int i = 0; i < count; i++) {
        hosts.get(0).gossip().publish(TOPIC, message(i, size));
        if (intervalMs > 0) {
          Thread.sleep(intervalMs);
        }
      }
      long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
      while (delivered.get() < expected && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      double seconds = Math.max(1, lastDelivery.get() - firstPublish) / 1e6;
      synchronized (latency) {
        return new Result("tandem-p2p", mode(intervalMs), count, n - 1, size, delivered.get(), seconds, latency.copy());
      }
    } finally {
      hosts.forEach(Libp2pHost::close);
    }
  }

  public static Result runJs(int n, int count, int size, int intervalMs) throws Exception {
    List<JsGossipPeer> peers = new ArrayList<>();
    Histogram latency = new Histogram(3_600_000_000L, 3);
    try {
      for (int i = 0; i < n; i++) {
        peers.add(new JsGossipPeer(TOPIC, Duration.ofMinutes(10)));
      }
      for (int[] e : edges(n)) {
        peers.get(e[0]).send("DIAL " + peers.get(e[1]).address);
        String reply = peers.get(e[0]).expect(l -> l.startsWith("DIALED ") || l.startsWith("ERR"), Duration.ofSeconds(30));
        if (reply.startsWith("ERR")) {
          throw new IllegalStateException("js-libp2p dial failed: " + reply);
        }
      }
      peers.get(0).send("WAITSUB " + TOPIC + " 2");
      peers.get(0).expect(l -> l.startsWith("SUBSCRIBERS"), Duration.ofSeconds(30));
      Thread.sleep(MESH_SETTLE.toMillis());
      peers.get(0).send("BURST " + TOPIC + " " + count + " " + size + " " + intervalMs);
      int delivered = 0;
      long firstPublish = Long.MAX_VALUE;
      long lastDelivery = 0;
      long deadline = System.nanoTime() + DELIVERY_TIMEOUT.toNanos();
      for (int i = 1; i < n; i++) {
        for (int k = 0; k < count; k++) {
          String line = peers.get(i).poll(l -> l.startsWith("RECV "),
              Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
          if (line == null) {
            break;
          }
          String[] p = line.split(" ");
          long sent = Long.parseLong(p[2]);
          long received = Long.parseLong(p[3]);
          if (p[1].equals("0")) {
            firstPublish = Math.min(firstPublish, sent);
          }
          lastDelivery = Math.max(lastDelivery, received);
          latency.recordValue(Math.max(0, received - sent));
          delivered++;
        }
      }
      double seconds = firstPublish == Long.MAX_VALUE ? Double.NaN : Math.max(1, lastDelivery - firstPublish) / 1e6;
      return new Result("js-libp2p", mode(intervalMs), count, n - 1, size, delivered, seconds, latency);
    } finally {
      for (JsGossipPeer p : peers) {
        p.close();
      }
    }
  }
}
