package dev.tandem.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleReceipt;
import dev.tandem.bundles.BundleRules;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.bundles.CancelRequest;
import dev.tandem.bundles.IncludedBundleIndex;
import dev.tandem.bundles.SimulationResult;
import dev.tandem.client.BundleView;
import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic bundles through a real node (single-node orderer, LMDB, JSON-RPC over HTTP): inclusion
 * as a whole with receipts that verify against the header, nonce claims against plain
 * transactions, durability of pending bundles across a restart, cancel, and the execution
 * pre-check keeping a bundle out until it expires.
 */
class BundleNodeTest {
  private static final long CHAIN = TestNodes.CHAIN;
  private static final long FEE = 100_000;
  private static final Namespace ROLLUP_A = Namespace.of(10);
  private static final Namespace ROLLUP_B = Namespace.of(20);

  @TempDir
  Path dir;

  private final KeyPair signer = KeyPair.generate(new Random(1));
  private final KeyPair alice = KeyPair.generate(new Random(2));
  private final KeyPair bob = KeyPair.generate(new Random(3));
  private TandemNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private BundleBuilder swap(TandemClient client, BundleWindow window, long seed) {
    return BundleBuilder.create(CHAIN, signer, new Random(seed)).window(window).manifestFee(FEE)
        .addLeg(ROLLUP_A, "alice pays 5 A".getBytes(StandardCharsets.UTF_8), alice,
            client.nextNonce(alice.publicKey()), FEE)
        .addLeg(ROLLUP_B, "bob pays 7 B".getBytes(StandardCharsets.UTF_8), bob, client.nextNonce(bob.publicKey()), FEE);
  }

  private Hash sendPlain(TandemClient client, KeyPair sender, long nonce, String payload) {
    return client.sendTransaction(Transaction.sign(CHAIN, Namespace.of(30), nonce, FEE,
        payload.getBytes(StandardCharsets.UTF_8), sender));
  }

  @Test
  void bundleIsIncludedWholeWithReceiptsThatVerify() {
    node = TandemNode.start(TestNodes.config(dir));
    TandemClient client = TandemClient.connect(node.rpcUrl());
    Bundle bundle = swap(client, BundleWindow.heights(1, 10_000), 7).build();

    BundleView sent = client.sendBundle(bundle);
    assertThat(sent.bundleKey()).isEqualTo(bundle.key());
    assertThat(sent.bundleId()).isEqualTo(bundle.id());

    BundleView done = client.awaitBundle(bundle.key(), Duration.ofSeconds(30)).orElseThrow();
    assertThat(done.status()).isEqualTo("included");
    Block block = node.blocks().get(done.blockHeight()).orElseThrow();
    assertThat(done.blockHash()).isEqualTo(block.hash());
    assertThat(BundleRules.checkBlock(block, IncludedBundleIndex.NONE).valid()).isTrue();
    assertThat(block.transactions()).containsAll(bundle.transactions());
    assertThat(done.receipts()).hasSize(2);
    for (BundleReceipt receipt : done.receipts()) {
      assertThat(receipt.verify(block.header()).valid()).as(receipt.verify(block.header()).reason()).isTrue();
    }
    for (Transaction leg : bundle.legs()) {
      assertThat(client.receipt(leg.id()).map(TxReceipt::status)).contains(TxReceipt.Status.FINALIZED);
    }

    // Included once: the same bundle again, and a lone leg, are refused.
    assertThatThrownBy(() -> client.sendBundle(bundle)).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.code()).isEqualTo(-32031));
    assertThatThrownBy(() -> client.sendTransaction(bundle.legs().get(0))).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.code()).isEqualTo(-32013));
    // The legs moved their senders' nonces; the manifest did not move the signer's.
    assertThat(client.nextNonce(alice.publicKey())).isEqualTo(bundle.legs().get(0).nonce() + 1);
    assertThat(client.nextNonce(signer.publicKey())).isZero();
  }

  @Test
  void malformedBundlesAndCancelsGetTheirOwnErrors() {
    node = TandemNode.start(TestNodes.config(dir));
    TandemClient client = TandemClient.connect(node.rpcUrl());
    Bundle bundle = swap(client, BundleWindow.heights(1, 10_000), 8).build();
    String hex = bundle.toHex();

    assertThatThrownBy(() -> client.call("tandem_sendBundle", hex.substring(0, hex.length() - 10)))
        .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(-32030));
    assertThatThrownBy(() -> client.call("tandem_sendBundle", "0xzz")).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.code()).isEqualTo(-32030));
    assertThatThrownBy(() -> client.call("tandem_cancelBundle", "0x0102")).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.code()).isEqualTo(-32032));
    CancelRequest wrongChain = CancelRequest.sign(CHAIN + 1, Hash.ZERO, 0, signer);
    assertThatThrownBy(() -> client.cancelBundle(wrongChain)).isInstanceOfSatisfying(RpcException.class,
        e -> assertThat(e.code()).isEqualTo(-32032));
    // A leg signed by someone else than its claimed sender: the bundle is refused with the reason.
    byte[] encoded = bundle.encode();
    encoded[encoded.length - 1] ^= 1; // last byte of the last leg's signature
    assertThatThrownBy(() -> client.call("tandem_sendBundle", Hex.encode(encoded)))
        .isInstanceOfSatisfying(RpcException.class, e -> assertThat(e.code()).isEqualTo(-32031));
    assertThat(client.bundleStatus(bundle.key())).isEmpty();
    // Nothing above took the node down.
    assertThat(client.sendBundle(bundle).status()).isEqualTo("pending");
  }

  @Test
  void pendingBundleClaimsItsNoncesSurvivesRestartAndCanBeCancelled() {
    node = TandemNode.start(TestNodes.config(dir));
    TandemClient client = TandemClient.connect(node.rpcUrl());
    // A window far ahead: the bundle stays pending.
    BundleBuilder builder = swap(client, BundleWindow.heights(1_000_000, 1_000_100), 9);
    Bundle bundle = builder.build();
    long legNonce = bundle.legs().get(0).nonce();
    assertThat(client.sendBundle(bundle).status()).isEqualTo("pending");

    assertThatThrownBy(() -> sendPlain(client, alice, legNonce, "steals the leg's nonce"))
        .isInstanceOfSatisfying(RpcException.class, e -> {
          assertThat(e.code()).isEqualTo(-32006);
          assertThat(e.getMessage()).contains("claimed by pending bundle");
        });
    assertThat(client.nextNonce(alice.publicKey())).isEqualTo(legNonce + 1);

    node.close();
    node = TandemNode.start(TestNodes.config(dir));
    TandemClient restarted = TandemClient.connect(node.rpcUrl());
    assertThat(restarted.bundleStatus(bundle.key()).map(BundleView::status)).contains("pending");
    assertThatThrownBy(() -> sendPlain(restarted, alice, legNonce, "still claimed"))
        .isInstanceOf(RpcException.class);

    BundleView cancelled = restarted.cancelBundle(CancelRequest.sign(CHAIN, builder.replacementIdValue(), 0, signer));
    assertThat(cancelled.status()).isEqualTo("cancelled");
    Hash plain = sendPlain(restarted, alice, legNonce, "free again");
    assertThat(restarted.awaitFinal(plain, Duration.ofSeconds(30)).status()).isEqualTo(TxReceipt.Status.FINALIZED);

    node.close();
    node = TandemNode.start(TestNodes.config(dir));
    // The cancelled bundle is not restored.
    assertThat(TandemClient.connect(node.rpcUrl()).bundleStatus(bundle.key())).isEmpty();
  }

  @Test
  void bundleWhoseLegWouldRevertIsNeverIncludedAndExpires() {
    node = TandemNode.start(TestNodes.config(dir),
        Map.of(ROLLUP_B, legs -> SimulationResult.wouldRevert("transfer amount exceeds balance")));
    TandemClient client = TandemClient.connect(node.rpcUrl());
    KeyPair carol = KeyPair.generate(new Random(4));
    sendPlain(client, carol, 0, "height 1");
    long tip = awaitHeightAbove(client, 0);
    Bundle bundle = swap(client, BundleWindow.heights(tip + 1, tip + 3), 10).build();
    assertThat(client.sendBundle(bundle).status()).isEqualTo("pending");

    // Traffic moves the log past the window.
    long nonce = 1;
    BundleView last = client.bundleStatus(bundle.key()).orElseThrow();
    for (int i = 0; i < 40 && !last.isFinal(); i++) {
      Hash id = sendPlain(client, carol, nonce++, "filler " + i);
      client.awaitFinal(id, Duration.ofSeconds(30));
      last = client.bundleStatus(bundle.key()).orElseThrow();
    }
    assertThat(last.status()).isEqualTo("expired");
    assertThat(last.reason()).contains("would revert").contains("exceeds balance");
    for (Transaction tx : bundle.transactions()) {
      assertThat(client.receipt(tx.id())).as("no part of the bundle is in the log").isEmpty();
    }
  }

  private static long awaitHeightAbove(TandemClient client, long height) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long now = client.blockNumber();
      if (now > height) {
        return now;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError("no block above height " + height + " within 30 s");
  }
}
