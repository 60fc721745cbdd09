package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.bundles.BundleRules;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.bundles.IncludedBundleIndex;
import dev.tandem.client.BundleView;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Block;
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
 * Bundles under BFT consensus with four validators on loopback: a bundle sent to one validator
 * reaches the others by gossip, whichever leader proposes it includes it whole, every validator
 * votes by {@link BundleRules}, and all four hold the same block with receipts that verify.
 */
class BundleConsensusTest {
  private static final long CHAIN = ValidatorNetworkFixture.CHAIN;
  private static final long FEE = 100_000;

  @TempDir
  Path root;

  private final TandemNode[] nodes = new TandemNode[4];

  @AfterEach
  void stopAll() {
    for (TandemNode node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void bundlesSentToAnyValidatorAreIncludedWholeOnAll() throws Exception {
    ValidatorNetworkFixture fixture = new ValidatorNetworkFixture(root, 4, 23);
    for (int i = 0; i < 4; i++) {
      // Compact proposals: validators rebuild bundle manifests and legs from their own bundle pools.
      nodes[i] = TandemNode.start(NodeConfig.load(fixture.writeConfig(i, 200, "compact")));
    }
    KeyPair signer = KeyPair.generate(new Random(31));
    List<Bundle> bundles = new ArrayList<>();
    List<Hash> plain = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      KeyPair alice = KeyPair.generate(new Random(100 + i));
      KeyPair bob = KeyPair.generate(new Random(200 + i));
      TandemClient client = TandemClient.connect(nodes[i].rpcUrl());
      Bundle bundle = BundleBuilder.create(CHAIN, signer, new Random(i)).window(BundleWindow.heights(1, 100_000))
          .manifestFee(FEE)
          .addLeg(Namespace.of(10), ("A leg " + i).getBytes(StandardCharsets.UTF_8), alice, 0, FEE)
          .addLeg(Namespace.of(20), ("B leg " + i).getBytes(StandardCharsets.UTF_8), bob, 0, FEE)
          .addLeg(Namespace.of(10), ("A second leg " + i).getBytes(StandardCharsets.UTF_8), alice, 1, FEE)
          .build();
      assertThat(client.sendBundle(bundle).status()).isEqualTo("pending");
      bundles.add(bundle);
      // Plain traffic in the same namespaces around the bundles.
      plain.add(client.sendTransaction(Transaction.sign(CHAIN, Namespace.of(10), 0, FEE,
          ("plain " + i).getBytes(StandardCharsets.UTF_8), KeyPair.generate(new Random(300 + i)))));
    }

    for (Bundle bundle : bundles) {
      await().atMost(Duration.ofSeconds(60)).conditionEvaluationListener(condition -> {
        if (condition.getRemainingTimeInMS() <= condition.getPollInterval().toMillis()) {
          // About to time out: say where each node stands.
          for (int i = 0; i < nodes.length; i++) {
            System.out.println("node " + i + " at height " + nodes[i].finalizedHeight() + ": bundle " + bundle.key()
                + " " + TandemClient.connect(nodes[i].rpcUrl()).bundleStatus(bundle.key()));
          }
        }
      }).until(() -> {
        for (TandemNode node : nodes) {
          var status = TandemClient.connect(node.rpcUrl()).bundleStatus(bundle.key());
          if (status.isEmpty() || !status.get().isIncluded()) {
            return false;
          }
        }
        return true;
      });
      BundleView view = TandemClient.connect(nodes[3].rpcUrl()).bundleStatus(bundle.key()).orElseThrow();
      Block block = nodes[0].blocks().get(view.blockHeight()).orElseThrow();
      for (TandemNode node : nodes) {
        assertThat(node.blocks().get(view.blockHeight()).map(Block::hash)).contains(block.hash());
      }
      assertThat(block.transactions()).containsAll(bundle.transactions());
      assertThat(BundleRules.checkBlock(block, IncludedBundleIndex.NONE).valid()).isTrue();
      assertThat(view.receipts()).hasSize(3);
      for (BundleReceipt receipt : view.receipts()) {
        assertThat(receipt.verify(block.header()).valid()).isTrue();
      }
    }
    for (Hash id : plain) {
      await().atMost(Duration.ofSeconds(60)).until(() -> TandemClient.connect(nodes[1].rpcUrl()).receipt(id)
          .map(r -> r.blockHeight() > 0).orElse(false));
    }
  }
}
