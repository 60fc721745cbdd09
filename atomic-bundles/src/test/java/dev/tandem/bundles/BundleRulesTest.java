package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundleRulesTest {
  private final Bundle bundle = threeLegBundle(21);
  private final Transaction manifest = bundle.manifestTransaction();
  private final Transaction a1 = bundle.legs().get(0);
  private final Transaction b1 = bundle.legs().get(1);
  private final Transaction a2 = bundle.legs().get(2);
  private final Transaction plainA = plain(NS_A, BOB, 1, 3, "plain-a");
  private final Transaction plainB = plain(NS_B, BOB, 2, 3, "plain-b");

  private static Verification check(long height, long timestamp, List<Transaction> order) {
    return BundleRules.checkBlock(block(height, timestamp, order), IncludedBundleIndex.NONE);
  }

  @Test
  void aWholeBundleAmongPlainTransactionsIsValid() {
    List<Transaction> order = new ArrayList<>(List.of(plainA));
    order.addAll(bundle.transactions());
    order.add(plainB);
    Block block = block(5, 1000, order);
    assertThat(BundleRules.checkBlock(block, IncludedBundleIndex.NONE)).isEqualTo(Verification.OK);
    assertThat(BundleRules.manifests(block)).extracting(SignedManifest::bundleKey).containsExactly(bundle.key());
    assertThat(block.slice(NS_A).transactions()).containsExactly(plainA, a1, a2);
  }

  @Test
  void blocksWithoutBundlesAreValid() {
    assertThat(check(5, 1000, List.of(plainA, plainB)).valid()).isTrue();
    assertThat(check(5, 1000, List.of()).valid()).isTrue();
  }

  @Test
  void aDroppedLegIsRejected() {
    Verification result = check(5, 1000, List.of(manifest, a1, a2));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("leg 1").contains("missing from the block");
  }

  @Test
  void aDroppedManifestIsRejected() {
    Verification result = check(5, 1000, List.of(a1, b1, a2));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("appears without its manifest");
  }

  @Test
  void aLoneLegIsRejected() {
    Verification result = check(5, 1000, List.of(plainA, b1));
    assertThat(result.reason()).contains(b1.id().toString()).contains("without its manifest");
  }

  @Test
  void reorderedLegsAreRejected() {
    Verification result = check(5, 1000, List.of(manifest, a2, b1, a1));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("not adjacent and in bundle order").contains(NS_A.toString());
  }

  @Test
  void aTransactionWedgedBetweenLegsIsRejected() {
    Verification result = check(5, 1000, List.of(manifest, a1, plainA, b1, a2));
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("not adjacent");
  }

  @Test
  void aBundleSplitAcrossTwoBlocksIsRejectedInBoth() {
    Verification first = check(5, 1000, List.of(manifest, a1, a2));
    Verification second = check(6, 1001, List.of(b1));
    assertThat(first.reason()).contains("missing from the block");
    assertThat(second.reason()).contains("without its manifest");
  }

  @Test
  void theWindowIsEnforcedOnHeightAndTime() {
    assertThat(check(101, 1000, bundle.transactions()).reason()).contains("height 101 is outside the window [1, 100]");
    assertThat(check(0, 1000, bundle.transactions()).reason()).contains("outside the window");
    assertThat(check(100, 1000, bundle.transactions()).valid()).isTrue();
    Bundle timed = BundleBuilder.create(CHAIN, SIGNER, new Random(5)).window(BundleWindow.times(500, 900))
        .addLeg(NS_C, payload("t"), ALICE, 4, 1).build();
    assertThat(check(5, 901, timed.transactions()).reason()).contains("timestamp 901 is outside the window [500, 900]");
    assertThat(check(5, 499, timed.transactions()).valid()).isFalse();
    assertThat(check(5, 900, timed.transactions()).valid()).isTrue();
  }

  @Test
  void aBundleKeyIsIncludedOnlyOnce() {
    IncludedBundleIndex already = key -> key.equals(bundle.key());
    Verification result = BundleRules.checkBlock(block(5, 1000, bundle.transactions()), already);
    assertThat(result.reason()).contains("already included in an earlier block");
  }

  @Test
  void twoRevisionsOfOneBundleInOneBlockAreRejected() {
    Bundle v0 = BundleBuilder.create(CHAIN, SIGNER).replacementId(Hash.ZERO).window(BundleWindow.heights(1, 9))
        .addLeg(NS_A, payload("v0"), ALICE, 0, 1).build();
    Bundle v1 = BundleBuilder.create(CHAIN, SIGNER).replacementId(Hash.ZERO).revision(1)
        .window(BundleWindow.heights(1, 9)).addLeg(NS_B, payload("v1"), ALICE, 1, 1).build();
    List<Transaction> order = new ArrayList<>(v0.transactions());
    order.addAll(v1.transactions());
    assertThat(check(5, 1000, order).reason()).contains("two manifests");
  }

  @Test
  void aLegOfAnotherRevisionIsRejected() {
    Bundle v0 = BundleBuilder.create(CHAIN, SIGNER).replacementId(Hash.ZERO).window(BundleWindow.heights(1, 9))
        .addLeg(NS_A, payload("v0"), ALICE, 0, 1).build();
    Bundle v1 = BundleBuilder.create(CHAIN, SIGNER).replacementId(Hash.ZERO).revision(1)
        .window(BundleWindow.heights(1, 9)).addLeg(NS_B, payload("v1"), ALICE, 1, 1).build();
    List<Transaction> order = new ArrayList<>(v1.transactions());
    order.add(v0.legs().get(0));
    assertThat(check(5, 1000, order).reason()).contains("does not list it");
  }

  @Test
  void aMalformedSystemTransactionIsRejected() {
    Transaction junk = Transaction.sign(CHAIN, Namespace.SYSTEM, 0, 0, payload("junk"), SIGNER);
    assertThat(check(5, 1000, List.of(junk, plainA)).reason()).contains("not a valid manifest");
    Transaction leg = Transaction.signBundleLeg(CHAIN, bundle.key(), Namespace.SYSTEM, 3, 0, payload("x"), ALICE);
    assertThat(check(5, 1000, List.of(leg)).reason()).contains("not a valid manifest");
  }

  @Test
  void naiveConcatenationOfTwoBundlesInOneNamespaceCanBreakContiguity() {
    // Interleaving two bundles' legs in the proposal interleaves them in the namespace: invalid.
    Bundle other = BundleBuilder.create(CHAIN, SIGNER, new Random(77)).window(BundleWindow.heights(1, 100))
        .addLeg(NS_A, payload("o1"), BOB, 5, 1).addLeg(NS_A, payload("o2"), BOB, 6, 1).build();
    List<Transaction> interleaved = List.of(manifest, other.manifestTransaction(), a1, other.legs().get(0), b1, a2,
        other.legs().get(1));
    assertThat(check(5, 1000, interleaved).reason()).contains("not adjacent");
    ProposalBuilder.Proposal proposal = ProposalBuilder.build(List.of(plainA, plainB), List.of(bundle, other),
        new ProposalBuilder.Limits(100, 1 << 20), 5, 1000, IncludedBundleIndex.NONE);
    assertThat(proposal.bundles()).hasSize(2);
    Block built = block(5, 1000, proposal.order());
    assertThat(BundleRules.checkBlock(built, IncludedBundleIndex.NONE)).isEqualTo(Verification.OK);
    assertThat(built.slice(NS_A).transactions()).hasSize(5);
  }
}
