package dev.tandem.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tandem dev} topology end to end: RPC in, finality, batches in the local DA, restart. */
class DevNetworkTest {
  private static final Namespace ROLLUP_A = Namespace.of(900);
  private static final Namespace ROLLUP_B = Namespace.of(901);
  /** The default topology: four validators. */
  private static final int NODES = 4;

  @Test
  void transactionsBecomeVerifiedBatchesInTheLocalDaAcrossARestart(@TempDir Path dir) throws Exception {
    KeyPair alice = KeyPair.generate(new Random(1));
    List<Hash> sent = new ArrayList<>();
    try (DevCommand.DevNetwork network = DevCommand.DevNetwork.start(dir, 7, NODES, 0, 0)) {
      TandemClient client = TandemClient.connect(network.node.rpcUrl());
      for (int i = 0; i < 6; i++) {
        Namespace ns = i % 2 == 0 ? ROLLUP_A : ROLLUP_B;
        Transaction tx = Transaction.sign(7, ns, i, client.minimumFee(200), new byte[] {(byte) i}, alice);
        sent.add(client.sendTransaction(tx));
      }
      for (Hash id : sent) {
        assertThat(client.awaitFinal(id, Duration.ofSeconds(30)).status()).isEqualTo(TxReceipt.Status.FINALIZED);
      }
      for (var node : network.nodes) {
        TandemClient other = TandemClient.connect(node.rpcUrl());
        await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().allMatch(id ->
            other.receipt(id).map(r -> r.status() == TxReceipt.Status.FINALIZED).orElse(false)));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> batchedTxs(network.da, ROLLUP_A) == 3
          && batchedTxs(network.da, ROLLUP_B) == 3);
    }
    // Restart on the same directory: the log and the batches are still there, nothing is re-posted.
    try (DevCommand.DevNetwork network = DevCommand.DevNetwork.start(dir, 7, NODES, 0, 0)) {
      TandemClient client = TandemClient.connect(network.node.rpcUrl());
      for (Hash id : sent) {
        assertThat(client.receipt(id).orElseThrow().status()).isEqualTo(TxReceipt.Status.FINALIZED);
      }
      Transaction later = Transaction.sign(7, ROLLUP_A, 6, client.minimumFee(200), new byte[] {42}, alice);
      client.awaitFinal(client.sendTransaction(later), Duration.ofSeconds(30));
      // batchedTxs checks that batch ranges stay contiguous: nothing re-posted, nothing skipped.
      await().atMost(Duration.ofSeconds(30)).until(() -> batchedTxs(network.da, ROLLUP_A) == 4);
    }
  }

  /** Transactions across every batch of the namespace, each batch checked on its own; heights contiguous. */
  private static int batchedTxs(LocalDa da, Namespace namespace) {
    int total = 0;
    long nextHeight = 1;
    for (LocalDa.BlobInfo info : da.list(namespace.id(), 0, 100_000)) {
      GenericBatch batch = GenericBatch.decode(da.get(info.commitment()).orElseThrow());
      assertThat(batch.verify().valid()).isTrue();
      assertThat(batch.firstHeight()).isEqualTo(nextHeight);
      nextHeight = batch.lastHeight() + 1;
      total += batch.transactionCount();
    }
    return total;
  }
}
