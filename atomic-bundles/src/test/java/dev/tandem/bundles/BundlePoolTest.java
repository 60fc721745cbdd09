package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundlePoolTest {
  private static final IncludedBundleIndex NONE = IncludedBundleIndex.NONE;
  private final BundlePool pool = new BundlePool(new BundlePool.Config(CHAIN, 100, 60_000));

  private static Bundle bundle(long seed, Hash replacementId, long revision, BundleWindow window, long aliceNonce) {
    BundleBuilder builder = BundleBuilder.create(CHAIN, SIGNER, new Random(seed)).revision(revision).window(window);
    if (replacementId != null) {
      builder.replacementId(replacementId);
    }
    return builder.addLeg(NS_A, payload("a" + seed), ALICE, aliceNonce, 5)
        .addLeg(NS_B, payload("b" + seed), BOB, aliceNonce, 5).build();
  }

  private static Bundle bundle(long seed, long aliceNonce) {
    return bundle(seed, null, 0, BundleWindow.heights(1, 10), aliceNonce);
  }

  @Test
  void submittedBundlesArePendingAndResubmissionIsIdempotent() {
    Bundle b = bundle(1, 0);
    BundleStatus status = pool.submit(b, NONE, 1000);
    assertThat(status.state()).isEqualTo(BundleState.PENDING);
    assertThat(status.bundleId()).isEqualTo(b.id());
    assertThat(status.legs()).hasSize(2);
    assertThat(pool.submit(b, NONE, 1001)).isEqualTo(status);
    assertThat(pool.pendingCount()).isEqualTo(1);
    assertThat(pool.status(b.key())).contains(status);
    assertThat(pool.statusById(b.id())).contains(status);
    assertThat(pool.nonceClaim(ALICE.publicKey(), 0)).contains(b.key());
    assertThat(pool.nonceClaim(ALICE.publicKey(), 1)).isEmpty();
  }

  @Test
  void badSignaturesWrongChainsAndEndedWindowsAreRejected() {
    Bundle b = bundle(2, 0);
    byte[] encoded = b.encode();
    encoded[encoded.length - 1] ^= 1; // the last leg's signature
    BundleStatus forged = pool.submit(BundleCodec.decodeBundle(encoded), NONE, 1000);
    assertThat(forged.state()).isEqualTo(BundleState.REJECTED);
    assertThat(forged.reason()).contains("bad signature on leg 1");

    BundlePool otherChain = new BundlePool(new BundlePool.Config(CHAIN + 1, 10, 0));
    assertThat(otherChain.submit(b, NONE, 0).reason()).contains("for chain " + CHAIN);

    Bundle timed = bundle(3, null, 0, BundleWindow.times(0, 500), 0);
    assertThat(pool.submit(timed, NONE, 501).reason()).contains("window has already ended");
    pool.onFinalized(block(10, 100, List.of()), 1000);
    assertThat(pool.submit(b, NONE, 1000).reason()).contains("window has already ended");
    assertThat(pool.pendingCount()).isZero();
    assertThat(pool.status(b.key())).isEmpty();
  }

  @Test
  void aConflictingNonceLosesToTheFirstSeenUntilItEnds() {
    Bundle first = bundle(4, null, 0, BundleWindow.heights(1, 3), 0);
    Bundle second = bundle(5, null, 0, BundleWindow.heights(1, 10), 0);
    assertThat(pool.submit(first, NONE, 0).state()).isEqualTo(BundleState.PENDING);
    BundleStatus loser = pool.submit(second, NONE, 0);
    assertThat(loser.state()).isEqualTo(BundleState.REJECTED);
    assertThat(loser.reason()).contains("nonce conflict").contains(first.key().toString()).contains("first seen wins");
    pool.onFinalized(block(3, 0, List.of()), 10);
    assertThat(pool.status(first.key()).orElseThrow().state()).isEqualTo(BundleState.EXPIRED);
    assertThat(pool.submit(second, NONE, 10).state()).isEqualTo(BundleState.PENDING);
  }

  @Test
  void aHigherRevisionReplacesThePendingOneAsAUnit() {
    Hash id = Hash.of(new byte[32]);
    Bundle v0 = bundle(6, id, 0, BundleWindow.heights(1, 10), 0);
    Bundle v1 = bundle(7, id, 1, BundleWindow.heights(1, 10), 1);
    pool.submit(v0, NONE, 0);
    BundleStatus replaced = pool.submit(v1, NONE, 1);
    assertThat(replaced.state()).isEqualTo(BundleState.PENDING);
    assertThat(replaced.revision()).isEqualTo(1);
    assertThat(pool.statusById(v0.id()).orElseThrow().state()).isEqualTo(BundleState.REPLACED);
    assertThat(pool.pendingCount()).isEqualTo(1);
    // v0's nonces are free again, v1's are claimed.
    assertThat(pool.nonceClaim(ALICE.publicKey(), 0)).isEmpty();
    assertThat(pool.nonceClaim(ALICE.publicKey(), 1)).contains(v1.key());
    assertThat(pool.submit(v0, NONE, 2).reason()).contains("does not replace pending revision 1");
    assertThat(pool.proposable(5, 0, NONE, Map.of(), 10)).containsExactly(v1);
  }

  @Test
  void theSignerCancelsAndCancelledRevisionsStayOut() {
    Bundle b = bundle(8, 0);
    pool.submit(b, NONE, 0);
    // Someone else's cancel with the same replacement id names their own key, never this bundle's.
    BundleStatus elsewhere = pool.cancel(CancelRequest.sign(CHAIN, b.replacementId(), 0, ALICE), 1);
    assertThat(elsewhere.bundleKey()).isNotEqualTo(b.key());
    assertThat(pool.status(b.key()).orElseThrow().state()).isEqualTo(BundleState.PENDING);
    CancelRequest forged = new CancelRequest(CHAIN, SIGNER.publicKey(), b.replacementId(), 0, new byte[64]);
    assertThatThrownBy(() -> pool.cancel(forged, 1)).hasMessageContaining("bad signature");
    assertThatThrownBy(() -> pool.cancel(CancelRequest.sign(CHAIN + 1, b.replacementId(), 0, SIGNER), 1))
        .hasMessageContaining("chain");

    BundleStatus cancelled = pool.cancel(CancelRequest.sign(CHAIN, b.replacementId(), 0, SIGNER), 1);
    assertThat(cancelled.state()).isEqualTo(BundleState.CANCELLED);
    assertThat(pool.pendingCount()).isZero();
    assertThat(pool.nonceClaim(ALICE.publicKey(), 0)).isEmpty();
    assertThat(pool.submit(b, NONE, 2).reason()).contains("cancelled by the signer");
    Bundle next = bundle(9, b.replacementId(), 1, BundleWindow.heights(1, 10), 0);
    assertThat(pool.submit(next, NONE, 3).state()).isEqualTo(BundleState.PENDING);
  }

  @Test
  void aCancelBeforeTheBundleArrivesBlocksIt() {
    Bundle b = bundle(10, 0);
    BundleStatus tombstone = pool.cancel(CancelRequest.sign(CHAIN, b.replacementId(), 5, SIGNER), 0);
    assertThat(tombstone.state()).isEqualTo(BundleState.CANCELLED);
    assertThat(tombstone.bundleId()).isNull();
    assertThat(pool.submit(b, NONE, 1).state()).isEqualTo(BundleState.REJECTED);
  }

  @Test
  void aFinalizedBlockMakesItsBundlesIncludedWithReceipts() {
    Bundle b = bundle(11, 0);
    pool.submit(b, NONE, 0);
    Block block = block(4, 100, b.transactions());
    pool.onFinalized(block, 200);
    BundleStatus status = pool.status(b.key()).orElseThrow();
    assertThat(status.state()).isEqualTo(BundleState.INCLUDED);
    assertThat(status.includedHeight()).isEqualTo(4);
    assertThat(status.includedBlockHash()).isEqualTo(block.hash());
    assertThat(pool.pendingCount()).isZero();
    List<BundleReceipt> receipts = BundleReceipt.forBundle(block, status.bundleKey());
    assertThat(receipts).allSatisfy(r -> assertThat(r.verify(block.header()).valid()).isTrue());
    assertThat(pool.submit(b, NONE, 300).reason()).contains("already included");
    // A cancel after inclusion changes nothing.
    assertThat(pool.cancel(CancelRequest.sign(CHAIN, b.replacementId(), 0, SIGNER), 300).state())
        .isEqualTo(BundleState.INCLUDED);
  }

  @Test
  void bundlesIncludedThroughAnotherNodeAreReportedToo() {
    Bundle b = bundle(12, 0);
    pool.onFinalized(block(4, 100, b.transactions()), 200);
    assertThat(pool.status(b.key()).orElseThrow().state()).isEqualTo(BundleState.INCLUDED);
  }

  @Test
  void anotherRevisionBeingIncludedRejectsThePendingOne() {
    Hash id = Hash.of(new byte[32]);
    Bundle v0 = bundle(13, id, 0, BundleWindow.heights(1, 10), 0);
    Bundle v1 = bundle(14, id, 1, BundleWindow.heights(1, 10), 1);
    pool.submit(v1, NONE, 0);
    pool.onFinalized(block(4, 100, v0.transactions()), 200);
    BundleStatus status = pool.status(v1.key()).orElseThrow();
    assertThat(status.state()).isEqualTo(BundleState.INCLUDED);
    assertThat(status.revision()).isZero();
    assertThat(pool.statusById(v1.id()).orElseThrow().reason()).contains("revision 0 of this bundle was included");
    assertThat(pool.nonceClaim(ALICE.publicKey(), 1)).isEmpty();
  }

  @Test
  void aPlainTransactionUsingALegsNonceRejectsTheBundle() {
    Bundle b = bundle(15, 0);
    pool.submit(b, NONE, 0);
    Transaction spend = plain(NS_C, BOB, 0, 1, "bob spends nonce 0 elsewhere");
    pool.onFinalized(block(2, 100, List.of(spend)), 200);
    BundleStatus status = pool.status(b.key()).orElseThrow();
    assertThat(status.state()).isEqualTo(BundleState.REJECTED);
    assertThat(status.reason()).contains("nonce 0").contains(spend.id().toString());
    assertThat(pool.pendingCount()).isZero();
  }

  @Test
  void simulatorsKeepRevertingBundlesOut() {
    Bundle ok = bundle(16, 0);
    Bundle reverts = BundleBuilder.create(CHAIN, SIGNER, new Random(17)).window(BundleWindow.heights(1, 10))
        .addLeg(NS_A, payload("x1"), ALICE, 1, 5).addLeg(NS_C, payload("revert me"), ALICE, 2, 5)
        .addLeg(NS_C, payload("second"), ALICE, 3, 5).build();
    Bundle crashes = BundleBuilder.create(CHAIN, SIGNER, new Random(18)).window(BundleWindow.heights(1, 10))
        .addLeg(Namespace.of(40), payload("boom"), ALICE, 4, 5).build();
    pool.submit(ok, NONE, 0);
    pool.submit(reverts, NONE, 0);
    pool.submit(crashes, NONE, 0);
    List<List<Transaction>> seenInC = new ArrayList<>();
    Map<Namespace, LegSimulator> simulators = Map.of(
        NS_C, legs -> {
          seenInC.add(legs);
          return SimulationResult.wouldRevert("insufficient balance");
        },
        Namespace.of(40), legs -> {
          throw new IllegalStateException("rpc down");
        });
    assertThat(pool.proposable(5, 0, NONE, simulators, 10)).containsExactly(ok);
    assertThat(seenInC).containsExactly(reverts.legs().subList(1, 3));
    assertThat(pool.status(reverts.key()).orElseThrow().reason()).contains("would revert: insufficient balance");
    assertThat(pool.status(crashes.key()).orElseThrow().reason()).contains("simulator failed: rpc down");
    assertThat(pool.status(reverts.key()).orElseThrow().state()).isEqualTo(BundleState.PENDING);
    assertThat(pool.proposable(5, 0, NONE, Map.of(), 10)).hasSize(3);
    assertThat(pool.proposable(5, 0, NONE, Map.of(), 1)).hasSize(1);
    assertThat(pool.proposable(11, 0, NONE, Map.of(), 10)).isEmpty();
    assertThat(pool.proposable(5, 0, key -> true, Map.of(), 10)).isEmpty();
  }

  @Test
  void theLimitAndRetentionAreEnforced() {
    BundlePool small = new BundlePool(new BundlePool.Config(CHAIN, 1, 1000));
    Bundle first = bundle(19, 0);
    assertThat(small.submit(first, NONE, 0).state()).isEqualTo(BundleState.PENDING);
    assertThat(small.submit(bundle(20, 1), NONE, 0).reason()).contains("pool is full");
    small.cancel(CancelRequest.sign(CHAIN, first.replacementId(), 0, SIGNER), 10);
    assertThat(small.submit(bundle(20, 1), NONE, 10).state()).isEqualTo(BundleState.PENDING);
    assertThat(small.status(first.key())).isPresent();
    small.onFinalized(block(1, 0, List.of()), 2000);
    assertThat(small.status(first.key())).isEmpty();
  }
}
