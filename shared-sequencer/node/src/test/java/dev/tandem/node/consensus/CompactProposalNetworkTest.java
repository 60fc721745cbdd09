package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compact proposals with real sockets: two validators hold transactions that the other two never
 * received by gossip (they were down, and gossip does not replay old messages). Finality needs
 * three votes, so at least one of the late validators must rebuild a proposal carrying those
 * transactions by fetching them from its proposer.
 */
class CompactProposalNetworkTest {
  private static final long CHAIN = ValidatorNetworkFixture.CHAIN;

  @TempDir
  Path root;

  private final TandemNode[] nodes = new TandemNode[4];
  private final BftOrdering[] orderings = new BftOrdering[4];

  @AfterEach
  void stopAll() {
    for (TandemNode node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }

  private void start(ValidatorNetworkFixture fixture, int index) throws Exception {
    NodeConfig config = NodeConfig.load(fixture.writeConfig(index, 200, "compact"));
    nodes[index] = TandemNode.start(config, (c, key) -> orderings[index] = new BftOrdering(c, key));
  }

  @Test
  void lateValidatorsFetchTransactionsTheyNeverSaw() throws Exception {
    ValidatorNetworkFixture fixture = new ValidatorNetworkFixture(root, 4, 51);
    start(fixture, 0);
    start(fixture, 1);
    KeyPair user = KeyPair.generate(new Random(9));
    TandemClient client = TandemClient.connect(nodes[0].rpcUrl());
    List<Hash> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(client.sendTransaction(Transaction.sign(CHAIN, Namespace.of(5), i, 100_000,
          ("before quorum " + i).getBytes(StandardCharsets.UTF_8), user)));
    }
    // Two of four cannot finalize; wait until gossip's message cache has forgotten the transactions.
    Thread.sleep(6_000);
    assertThat(nodes[0].finalizedHeight()).isZero();

    start(fixture, 2);
    start(fixture, 3);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (TandemNode node : nodes) {
        TandemClient c = TandemClient.connect(node.rpcUrl());
        for (Hash id : ids) {
          if (c.receipt(id).map(r -> r.status() != TxReceipt.Status.FINALIZED).orElse(true)) {
            return false;
          }
        }
      }
      return true;
    });
    assertThat(orderings[2].fetchedTransactions() + orderings[3].fetchedTransactions()).isPositive();
  }
}
