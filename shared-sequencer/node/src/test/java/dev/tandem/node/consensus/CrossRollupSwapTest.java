package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.adapters.evm.EvmDeliveryAdapter;
import dev.tandem.adapters.evm.EvmDirectDelivery;
import dev.tandem.adapters.evm.EvmLegSimulator;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.bundles.LegSimulator;
import dev.tandem.client.BundleView;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.FinalizedBlocks;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.testsupport.AnvilProcess;
import dev.tandem.testsupport.evm.TokenContract;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/**
 * The atomic swap of issue 6 with real parts: two anvil nodes are two EVM rollups (chain ids 31001
 * and 31002), each with a token contract deployed here; four Tandem validators order a bundle of
 * two signed Ethereum transactions (Alice pays Bob on rollup A, Bob pays Alice on rollup B); an
 * {@link EvmDeliveryAdapter} per rollup delivers its namespace from the finalized log; both
 * balances change. A second bundle whose rollup-B leg would revert is held back by the
 * {@link EvmLegSimulator} pre-check and expires: neither rollup sees any part of it.
 */
class CrossRollupSwapTest {
  private static final long CHAIN = ValidatorNetworkFixture.CHAIN;
  private static final long FEE = 1_000_000;
  private static final long CHAIN_A = 31001;
  private static final long CHAIN_B = 31002;
  private static final Namespace ROLLUP_A = Namespace.of(0xA);
  private static final Namespace ROLLUP_B = Namespace.of(0xB);

  @TempDir
  Path root;

  private final TandemNode[] nodes = new TandemNode[4];
  private AnvilProcess anvilA;
  private AnvilProcess anvilB;

  @AfterEach
  void stopAll() {
    for (TandemNode node : nodes) {
      if (node != null) {
        node.close();
      }
    }
    if (anvilA != null) {
      anvilA.close();
    }
    if (anvilB != null) {
      anvilB.close();
    }
  }

  @Test
  void swapAcrossTwoRollupsIsAllOrNothing() throws Exception {
    anvilA = AnvilProcess.start(CHAIN_A);
    anvilB = AnvilProcess.start(CHAIN_B);
    String deployer = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
    String aliceEth = AnvilProcess.DEV_PRIVATE_KEYS.get(1);
    String bobEth = AnvilProcess.DEV_PRIVATE_KEYS.get(2);
    String alice = Credentials.create(aliceEth).getAddress();
    String bob = Credentials.create(bobEth).getAddress();
    TokenContract tokenA = TokenContract.deploy(anvilA.rpcUrl(), deployer, CHAIN_A);
    TokenContract tokenB = TokenContract.deploy(anvilB.rpcUrl(), deployer, CHAIN_B);
    // Alice holds 100 A-tokens, Bob 100 B-tokens (funded directly on each rollup, outside Tandem).
    fund(anvilA, tokenA, deployer, CHAIN_A, alice, 100);
    fund(anvilB, tokenB, deployer, CHAIN_B, bob, 100);

    ValidatorNetworkFixture fixture = new ValidatorNetworkFixture(root.resolve("validators"), 4, 41);
    for (int i = 0; i < 4; i++) {
      Map<Namespace, LegSimulator> simulators = Map.of(
          ROLLUP_A, new EvmLegSimulator(anvilA.rpcUrl(), CHAIN_A),
          ROLLUP_B, new EvmLegSimulator(anvilB.rpcUrl(), CHAIN_B));
      nodes[i] = TandemNode.start(NodeConfig.load(fixture.writeConfig(i, 200)), simulators);
    }
    TandemClient client = TandemClient.connect(nodes[1].rpcUrl());
    KeyPair swapper = KeyPair.generate(new Random(5));
    KeyPair aliceTandem = KeyPair.generate(new Random(6));
    KeyPair bobTandem = KeyPair.generate(new Random(7));

    // The swap: Alice pays Bob 5 A, Bob pays Alice 7 B.
    byte[] legA = tokenA.signedTransfer(aliceEth, CHAIN_A, tokenA.pendingNonce(alice), bob, BigInteger.valueOf(5),
        TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
    byte[] legB = tokenB.signedTransfer(bobEth, CHAIN_B, tokenB.pendingNonce(bob), alice, BigInteger.valueOf(7),
        TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
    long tip = client.blockNumber();
    Bundle swap = BundleBuilder.create(CHAIN, swapper, new Random(8)).window(BundleWindow.heights(tip + 1, tip + 200))
        .manifestFee(FEE)
        .addLeg(ROLLUP_A, legA, aliceTandem, client.nextNonce(aliceTandem.publicKey()), FEE)
        .addLeg(ROLLUP_B, legB, bobTandem, client.nextNonce(bobTandem.publicKey()), FEE)
        .build();
    assertThat(client.sendBundle(swap).status()).isEqualTo("pending");
    BundleView included = client.awaitBundle(swap.key(), Duration.ofSeconds(60)).orElseThrow();
    assertThat(included.status()).as(included.reason()).isEqualTo("included");
    Block block = nodes[1].blocks().get(included.blockHeight()).orElseThrow();
    for (BundleReceipt receipt : included.receipts()) {
      assertThat(receipt.verify(block.header()).valid()).isTrue();
    }

    // Each rollup's adapter delivers its namespace of the finalized log.
    FinalizedBlockSource source = source(nodes[0].blocks());
    try (LmdbCheckpointStore checkpointsA = LmdbCheckpointStore.open(root.resolve("adapter-a"));
        LmdbCheckpointStore checkpointsB = LmdbCheckpointStore.open(root.resolve("adapter-b"));
        EvmDirectDelivery deliveryA = new EvmDirectDelivery(anvilA.rpcUrl(), EvmDirectDelivery.Config.defaults());
        EvmDirectDelivery deliveryB = new EvmDirectDelivery(anvilB.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      EvmDeliveryAdapter adapterA = new EvmDeliveryAdapter(ROLLUP_A, CHAIN_A, source, deliveryA, checkpointsA);
      EvmDeliveryAdapter adapterB = new EvmDeliveryAdapter(ROLLUP_B, CHAIN_B, source, deliveryB, checkpointsB);
      deliverUpTo(included.blockHeight(), adapterA, adapterB);

      assertThat(tokenA.balanceOf(alice)).isEqualTo(BigInteger.valueOf(95));
      assertThat(tokenA.balanceOf(bob)).isEqualTo(BigInteger.valueOf(5));
      assertThat(tokenB.balanceOf(bob)).isEqualTo(BigInteger.valueOf(93));
      assertThat(tokenB.balanceOf(alice)).isEqualTo(BigInteger.valueOf(7));

      // A second swap in which Bob would pay 1,000 B he does not have: the pre-check holds it back.
      long aliceNonceA = tokenA.pendingNonce(alice);
      long bobNonceB = tokenB.pendingNonce(bob);
      byte[] fineLeg = tokenA.signedTransfer(aliceEth, CHAIN_A, aliceNonceA, bob, BigInteger.valueOf(5),
          TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
      byte[] overdraft = tokenB.signedTransfer(bobEth, CHAIN_B, bobNonceB, alice, BigInteger.valueOf(1_000),
          TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
      tip = client.blockNumber();
      Bundle doomed = BundleBuilder.create(CHAIN, swapper, new Random(9)).window(BundleWindow.heights(tip + 1, tip + 8))
          .manifestFee(FEE)
          .addLeg(ROLLUP_A, fineLeg, aliceTandem, client.nextNonce(aliceTandem.publicKey()), FEE)
          .addLeg(ROLLUP_B, overdraft, bobTandem, client.nextNonce(bobTandem.publicKey()), FEE)
          .build();
      assertThat(client.sendBundle(doomed).status()).isEqualTo("pending");
      BundleView expired = client.awaitBundle(doomed.key(), Duration.ofSeconds(60)).orElseThrow();
      assertThat(expired.status()).isEqualTo("expired");
      assertThat(expired.reason()).contains("would revert").contains("exceeds balance");
      for (Transaction tx : doomed.transactions()) {
        for (TandemNode node : nodes) {
          assertThat(TandemClient.connect(node.rpcUrl()).receipt(tx.id())).isEmpty();
        }
      }
      deliverUpTo(nodes[0].finalizedHeight(), adapterA, adapterB);
      assertThat(tokenA.pendingNonce(alice)).as("rollup A never saw the fine leg").isEqualTo(aliceNonceA);
      assertThat(tokenB.pendingNonce(bob)).isEqualTo(bobNonceB);
      assertThat(tokenA.balanceOf(alice)).isEqualTo(BigInteger.valueOf(95));
      assertThat(tokenB.balanceOf(alice)).isEqualTo(BigInteger.valueOf(7));
    }
  }

  private static void fund(AnvilProcess anvil, TokenContract token, String deployerKey, long chainId, String to,
      long amount) {
    byte[] transfer = token.signedTransfer(deployerKey, chainId, token.pendingNonce(Credentials.create(deployerKey)
        .getAddress()), to, BigInteger.valueOf(amount), TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
    try (EvmDirectDelivery delivery = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      delivery.deliver(List.of(transfer)).requireInOrder();
    }
  }

  private static void deliverUpTo(long height, EvmDeliveryAdapter... adapters) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      boolean done = true;
      for (EvmDeliveryAdapter adapter : adapters) {
        while (adapter.step()) {
          // deliver everything finalized so far
        }
        done &= adapter.deliveredHeight() >= height;
      }
      return done;
    });
  }

  private static FinalizedBlockSource source(FinalizedBlocks blocks) {
    return new FinalizedBlockSource() {
      @Override
      public long finalizedHeight() {
        return blocks.height();
      }

      @Override
      public Block block(long height) {
        return blocks.get(height).orElseThrow();
      }

      @Override
      public byte[] certificate(long height) {
        return new byte[0];
      }
    };
  }
}
