package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures acknowledged-and-finalized transactions per second over HTTP JSON-RPC with a few
 * concurrent clients. A measurement, not a pass/fail bound: run with
 * {@code mvn -o -pl shared-sequencer/node verify -Dtest=AdmissionThroughputBench -Dtandem.node.bench=true}
 * (add {@code -Dtandem.node.bench.inProcess=true} to submit through {@link TandemNode#submit} instead).
 */
@EnabledIfSystemProperty(named = "tandem.node.bench", matches = "true")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AdmissionThroughputBench {
  @TempDir
  Path dir;

  @Test
  void measure() throws Exception {
    int clients = Integer.getInteger("tandem.node.bench.clients", 8);
    int perClient = Integer.getInteger("tandem.node.bench.txs", 1000);
    try (TandemNode node = TandemNode.start(TestNodes.config(dir))) {
      List<List<Transaction>> work = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        KeyPair key = KeyPair.generate(new Random(100 + c));
        List<Transaction> txs = new ArrayList<>();
        for (int n = 0; n < perClient; n++) {
          byte[] payload = new byte[200];
          txs.add(Transaction.sign(TestNodes.CHAIN, Namespace.of(1 + c % 4), n, 10_000, payload, key));
        }
        work.add(txs);
      }
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long started = System.nanoTime();
      List<Future<Hash>> lasts = new ArrayList<>();
      boolean inProcess = Boolean.getBoolean("tandem.node.bench.inProcess");
      for (List<Transaction> txs : work) {
        lasts.add(pool.submit(() -> {
          TandemClient client = TandemClient.connect(node.rpcUrl());
          Hash last = null;
          for (Transaction tx : txs) {
            last = inProcess ? node.submit(tx.encode()) : client.sendTransaction(tx);
          }
          return last;
        }));
      }
      List<Hash> lastIds = new ArrayList<>();
      for (Future<Hash> last : lasts) {
        lastIds.add(last.get());
      }
      double ackSeconds = (System.nanoTime() - started) / 1e9;
      TandemClient client = TandemClient.connect(node.rpcUrl());
      for (Hash id : lastIds) {
        assertThat(client.awaitFinal(id, Duration.ofSeconds(120)).status()).isEqualTo(TxReceipt.Status.FINALIZED);
      }
      double finalSeconds = (System.nanoTime() - started) / 1e9;
      pool.shutdown();
      int total = clients * perClient;
      System.out.printf("admission bench (%s): %d txs, %d clients: acknowledged %.0f tx/s, finalized %.0f tx/s, %d blocks%n",
          inProcess ? "in-process submit" : "HTTP JSON-RPC", total, clients, total / ackSeconds, total / finalSeconds, node.finalizedHeight());
    }
  }
}
