package dev.tandem.bench.ingest;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * Single-node ingest: signed transactions over HTTP JSON-RPC until finalized, against the
 * Ed25519 verification rate of one core measured in the same run (the ceiling: every admitted
 * transaction costs one verification). Prints tx/s, tx/s per core and their ratio to the
 * verification rate, and acknowledgement latency.
 *
 * <p>Usage: {@code benchmarks/run.sh ingest [clients] [txsPerClient] [payloadBytes]} (defaults 8 1000 200).
 */
public final class IngestLoad {
  private IngestLoad() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int payloadBytes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int cores = Runtime.getRuntime().availableProcessors();

    double verifyPerSecond = verificationRate(Duration.ofSeconds(3));

    Path dir = Files.createTempDirectory("tandem-ingest-");
    NodeConfig config = NodeConfig.defaults(dir).withRpcPort(0);
    List<List<Transaction>> work = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      KeyPair key = KeyPair.generate(new Random(100 + c));
      List<Transaction> txs = new ArrayList<>();
      for (int n = 0; n < perClient; n++) {
        byte[] payload = new byte[payloadBytes];
        txs.add(Transaction.sign(config.chainId(), Namespace.of(1 + c % 4), n, 1_000_000, payload, key));
      }
      work.add(txs);
    }
    Histogram ackMicros = new Histogram(60_000_000L, 3);
    long started;
    long finished;
    try (TandemNode node = TandemNode.start(config)) {
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      started = System.nanoTime();
      List<Future<Hash>> lastIds = new ArrayList<>();
      for (List<Transaction> txs : work) {
        lastIds.add(pool.submit(() -> {
          TandemClient client = TandemClient.connect(node.rpcUrl());
          Hash last = null;
          for (Transaction tx : txs) {
            long t0 = System.nanoTime();
            last = client.sendTransaction(tx);
            long micros = (System.nanoTime() - t0) / 1000;
            synchronized (ackMicros) {
              ackMicros.recordValue(Math.min(micros, 60_000_000L));
            }
          }
          return last;
        }));
      }
      TandemClient client = TandemClient.connect(node.rpcUrl());
      for (Future<Hash> last : lastIds) {
        TxReceipt receipt = client.awaitFinal(last.get(), Duration.ofMinutes(5));
        if (receipt.status() != TxReceipt.Status.FINALIZED) {
          throw new IllegalStateException("transaction " + receipt.txId() + " ended " + receipt.status());
        }
      }
      finished = System.nanoTime();
      pool.shutdown();
    } finally {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    long total = (long) clients * perClient;
    double seconds = (finished - started) / 1e9;
    double txPerSecond = total / seconds;
    System.out.printf("cores                          %d%n", cores);
    System.out.printf("Ed25519 verify, one core       %.0f /s%n", verifyPerSecond);
    System.out.printf("finalized transactions         %d in %.2f s (%d clients, %d-byte payloads)%n", total, seconds,
        clients, payloadBytes);
    System.out.printf("ingest                         %.0f tx/s, %.0f tx/s per core%n", txPerSecond, txPerSecond / cores);
    System.out.printf("ingest per core / verify rate  %.3f%n", txPerSecond / cores / verifyPerSecond);
    System.out.printf("ack latency                    p50 %.2f ms, p99 %.2f ms%n",
        ackMicros.getValueAtPercentile(50) / 1000.0, ackMicros.getValueAtPercentile(99) / 1000.0);
  }

  /** Verifications per second on one thread, after a short warm-up. */
  private static double verificationRate(Duration measure) {
    KeyPair key = KeyPair.generate(new Random(7));
    byte[] message = new byte[32];
    byte[] signature = key.sign(message);
    for (int i = 0; i < 20_000; i++) {
      key.publicKey().verify(message, signature);
    }
    long count = 0;
    long start = System.nanoTime();
    long end = start + measure.toNanos();
    while (System.nanoTime() < end) {
      for (int i = 0; i < 100; i++) {
        if (!key.publicKey().verify(message, signature)) {
          throw new IllegalStateException("verification failed");
        }
      }
      count += 100;
    }
    return count / ((System.nanoTime() - start) / 1e9);
  }
}
