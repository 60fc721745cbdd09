package dev.tandem.adapters.evm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.adapters.InMemoryLog;
import dev.tandem.adapters.generic.CheckpointStore;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.testsupport.AnvilProcess;
import dev.tandem.testsupport.evm.TokenContract;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;

/** Delivers a namespace of the log to a real anvil rollup, with the checkpoint in real LMDB. */
@Timeout(120)
class EvmDeliveryAdapterTest {
  private static final long CHAIN_ID = 31_201;
  private static final Namespace ROLLUP = Namespace.of(201);
  private static final Namespace OTHER_ROLLUP = Namespace.of(202);
  private static final String ALICE_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(0);
  private static final String BOB_KEY = AnvilProcess.DEV_PRIVATE_KEYS.get(1);
  private static final String ALICE = Credentials.create(ALICE_KEY).getAddress();
  private static final String BOB = Credentials.create(BOB_KEY).getAddress();
  private static final String CAROL = Credentials.create(AnvilProcess.DEV_PRIVATE_KEYS.get(2)).getAddress();

  private final KeyPair tandemKey = KeyPair.generate(new Random(11));
  private AnvilProcess anvil;
  private TokenContract token;
  private EvmDirectDelivery delivery;

  /** The finalized log in memory, as the node would serve it. */
  private final class Log extends InMemoryLog {
    Log() {
      super(tandemKey);
    }

    void append(List<byte[]> rollupPayloads) {
      appendRollupBlock(ROLLUP, rollupPayloads, OTHER_ROLLUP, new byte[] {9, 9});
    }
  }


  /** Real LMDB underneath; the first markPosted at {@code crashAt} fails, as a crash right after delivery. */
  private static final class CrashingCheckpoint implements CheckpointStore {
    final LmdbCheckpointStore store;
    final long crashAt;
    boolean crashed;

    CrashingCheckpoint(LmdbCheckpointStore store, long crashAt) {
      this.store = store;
      this.crashAt = crashAt;
    }

    @Override
    public Progress progress(Namespace namespace) {
      return store.progress(namespace);
    }

    @Override
    public List<Namespace> namespaces() {
      return store.namespaces();
    }

    @Override
    public void markPending(Namespace namespace, Range range) {
      store.markPending(namespace, range);
    }

    @Override
    public void markPosted(Namespace namespace, Range range, byte[] receipt) {
      if (!crashed && range.lastHeight() == crashAt) {
        crashed = true;
        throw new IllegalStateException("simulated crash before the checkpoint of height " + crashAt);
      }
      store.markPosted(namespace, range, receipt);
    }

    @Override
    public Optional<byte[]> receipt(Namespace namespace, long firstHeight) {
      return store.receipt(namespace, firstHeight);
    }

    @Override
    public void close() {
      store.close();
    }
  }

  @BeforeEach
  void start() {
    anvil = AnvilProcess.start(CHAIN_ID);
    token = TokenContract.deploy(anvil.rpcUrl(), ALICE_KEY, CHAIN_ID);
    delivery = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults());
  }

  @AfterEach
  void stop() {
    if (delivery != null) {
      delivery.close();
    }
    if (token != null) {
      token.close();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  private byte[] transfer(String key, long nonce, String to, long amount) {
    return token.signedTransfer(key, CHAIN_ID, nonce, to, BigInteger.valueOf(amount), TokenContract.TRANSFER_GAS,
        TokenContract.Fees.defaults());
  }

  /**
   * Block 1 funds Bob; block 2 is empty for this rollup; block 3 has garbage, Bob spending what he
   * got, and a transfer for another chain; block 4 replays Bob's nonce with a different transfer
   * (the node refuses it) and pays Carol.
   */
  private Log threeBlocksWithTransfers() {
    long alice = token.pendingNonce(ALICE);
    Log log = new Log();
    log.append(List.of(transfer(ALICE_KEY, alice, BOB, 100), transfer(ALICE_KEY, alice + 1, BOB, 50)));
    log.append(List.of());
    byte[] forOtherChain = token.signedTransfer(ALICE_KEY, CHAIN_ID + 1, alice + 2, CAROL, BigInteger.ONE,
        TokenContract.TRANSFER_GAS, TokenContract.Fees.defaults());
    log.append(List.of(new byte[] {(byte) 0xde, (byte) 0xad}, transfer(BOB_KEY, 0, CAROL, 120), forOtherChain));
    log.append(List.of(transfer(BOB_KEY, 0, CAROL, 1), transfer(ALICE_KEY, alice + 2, CAROL, 7)));
    return log;
  }

  @Test
  void deliversEachBlocksPayloadsInLogOrderAndAdvancesTheCheckpoint(@TempDir Path dir) {
    Log log = threeBlocksWithTransfers();
    try (LmdbCheckpointStore store = LmdbCheckpointStore.open(dir)) {
      EvmDeliveryAdapter adapter = new EvmDeliveryAdapter(ROLLUP, CHAIN_ID, log, delivery, store);
      assertThat(adapter.deliveredHeight()).isZero();

      EvmDeliveryAdapter.StepReport first = adapter.stepReport().orElseThrow();
      assertThat(first.firstHeight()).isEqualTo(1);
      assertThat(first.lastHeight()).isEqualTo(1);
      assertThat(first.delivered().transactions()).hasSize(2).allSatisfy(tx -> assertThat(tx.succeeded()).isTrue());
      assertThat(adapter.deliveredHeight()).isEqualTo(1);

      EvmDeliveryAdapter.StepReport second = adapter.stepReport().orElseThrow();
      assertThat(second.firstHeight()).as("the empty block 2 goes with block 3").isEqualTo(2);
      assertThat(second.lastHeight()).isEqualTo(3);
      assertThat(second.skipped()).as("garbage and the other chain's transfer").isEqualTo(2);
      assertThat(second.delivered().transactions()).hasSize(1);
      assertThat(second.delivered().transactions().get(0).succeeded()).as("Bob spends what block 1 gave him").isTrue();

      EvmDeliveryAdapter.StepReport third = adapter.stepReport().orElseThrow();
      assertThat(third.skipped()).as("the node refuses Bob's reused nonce").isEqualTo(1);
      assertThat(third.delivered().transactions()).hasSize(1);
      assertThat(adapter.deliveredHeight()).isEqualTo(4);
      assertThat(adapter.step()).as("idle at the finalized tip").isFalse();

      List<ExecutedTx> all = new ArrayList<>();
      for (EvmDeliveryAdapter.StepReport step : List.of(first, second, third)) {
        all.addAll(step.delivered().transactions());
      }
      assertThat(new DeliveryReport(all).orderViolation()).isEmpty();
      assertThat(store.receipt(ROLLUP, 4)).hasValueSatisfying(receipt ->
          assertThat(org.web3j.utils.Numeric.toHexString(receipt)).isEqualTo(all.get(all.size() - 1).hash()));
    }
    assertThat(token.balanceOf(BOB)).isEqualTo(BigInteger.valueOf(30));
    assertThat(token.balanceOf(CAROL)).isEqualTo(BigInteger.valueOf(127));
  }

  @Test
  void restartRedeliversFromTheCheckpointWithoutFailingOnDeliveredTransactions(@TempDir Path dir) {
    Log log = threeBlocksWithTransfers();
    try (CrashingCheckpoint crashing = new CrashingCheckpoint(LmdbCheckpointStore.open(dir), 3)) {
      EvmDeliveryAdapter adapter = new EvmDeliveryAdapter(ROLLUP, CHAIN_ID, log, delivery, crashing);
      assertThat(adapter.step()).isTrue();
      assertThatThrownBy(adapter::step).hasMessageContaining("simulated crash");
      assertThat(adapter.deliveredHeight()).as("block 3 went out, its checkpoint did not").isEqualTo(1);
    }
    assertThat(token.balanceOf(CAROL)).isEqualTo(BigInteger.valueOf(120));

    try (LmdbCheckpointStore reopened = LmdbCheckpointStore.open(dir);
        EvmDirectDelivery fresh = new EvmDirectDelivery(anvil.rpcUrl(), EvmDirectDelivery.Config.defaults())) {
      EvmDeliveryAdapter restarted = new EvmDeliveryAdapter(ROLLUP, CHAIN_ID, log, fresh, reopened);
      assertThat(restarted.deliveredHeight()).isEqualTo(1);
      EvmDeliveryAdapter.StepReport redelivered = restarted.stepReport().orElseThrow();
      assertThat(redelivered.firstHeight()).isEqualTo(2);
      assertThat(redelivered.lastHeight()).isEqualTo(3);
      assertThat(redelivered.delivered().transactions()).singleElement()
          .satisfies(tx -> assertThat(tx.alreadyKnown()).isTrue());
      while (restarted.step()) {
        // deliver the rest
      }
      assertThat(restarted.deliveredHeight()).isEqualTo(4);
    }
    // Delivered once each: nothing was applied twice.
    assertThat(token.balanceOf(BOB)).isEqualTo(BigInteger.valueOf(30));
    assertThat(token.balanceOf(CAROL)).isEqualTo(BigInteger.valueOf(127));

    // A checkpoint lost altogether: everything is redelivered as already known, balances unchanged.
    try (LmdbCheckpointStore empty = LmdbCheckpointStore.open(dir.resolve("lost"))) {
      EvmDeliveryAdapter fromScratch = new EvmDeliveryAdapter(ROLLUP, CHAIN_ID, log, delivery, empty);
      List<ExecutedTx> replayed = new ArrayList<>();
      Optional<EvmDeliveryAdapter.StepReport> step;
      while ((step = fromScratch.stepReport()).isPresent()) {
        replayed.addAll(step.get().delivered().transactions());
      }
      assertThat(replayed).hasSize(4).allSatisfy(tx -> assertThat(tx.alreadyKnown()).isTrue());
      assertThat(fromScratch.deliveredHeight()).isEqualTo(4);
    }
    assertThat(token.balanceOf(CAROL)).isEqualTo(BigInteger.valueOf(127));
  }
}
