package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ProposalBuilderTest {
  private static final List<KeyPair> SENDERS = List.of(ALICE, BOB, KeyPair.generate(new Random(8)),
      KeyPair.generate(new Random(9)));
  private static final List<Namespace> NAMESPACES = List.of(NS_A, NS_B, NS_C);
  private static final ProposalBuilder.Limits ROOMY = new ProposalBuilder.Limits(10_000, 1 << 24);

  /** Random bundles and plain transactions; nonces drawn from a small range so some collide when asked. */
  private static final class Mix {
    final List<Bundle> bundles = new ArrayList<>();
    final List<Transaction> plain = new ArrayList<>();

    Mix(Random random, int bundleCount, int plainCount, boolean conflicts) {
      Map<KeyPair, Long> nextNonce = new HashMap<>();
      for (int b = 0; b < bundleCount; b++) {
        BundleBuilder builder = BundleBuilder.create(CHAIN, SENDERS.get(random.nextInt(SENDERS.size())), random)
            .window(BundleWindow.heights(1, 100)).manifestFee(random.nextInt(50));
        int legs = 1 + random.nextInt(4);
        Set<String> used = new HashSet<>();
        for (int l = 0; l < legs; l++) {
          KeyPair sender = SENDERS.get(random.nextInt(SENDERS.size()));
          long nonce = nonce(random, nextNonce, sender, conflicts);
          if (!used.add(sender.publicKey() + "/" + nonce)) {
            continue;
          }
          builder.addLeg(NAMESPACES.get(random.nextInt(NAMESPACES.size())), payload("leg" + b + "." + l), sender,
              nonce, random.nextInt(100));
        }
        bundles.add(builder.build());
      }
      for (int p = 0; p < plainCount; p++) {
        KeyPair sender = SENDERS.get(random.nextInt(SENDERS.size()));
        plain.add(plain(NAMESPACES.get(random.nextInt(NAMESPACES.size())), sender,
            nonce(random, nextNonce, sender, conflicts), random.nextInt(100), "p" + p));
      }
    }

    private static long nonce(Random random, Map<KeyPair, Long> next, KeyPair sender, boolean conflicts) {
      if (conflicts) {
        return random.nextInt(4);
      }
      long nonce = next.getOrDefault(sender, 0L);
      next.put(sender, nonce + 1);
      return nonce;
    }
  }

  private static void assertValidAndUnsplit(ProposalBuilder.Proposal proposal, Block block, List<Bundle> offered) {
    Verification verdict = BundleRules.checkBlock(block, IncludedBundleIndex.NONE);
    assertThat(verdict.reason()).isEqualTo(Verification.OK.reason());
    Set<Transaction> inBlock = new HashSet<>(block.transactions());
    for (Bundle bundle : offered) {
      boolean chosen = proposal.bundles().contains(bundle);
      for (Transaction tx : bundle.transactions()) {
        assertThat(inBlock.contains(tx)).as("bundle %s chosen=%s", bundle.key(), chosen).isEqualTo(chosen);
      }
      assertThat(chosen || proposal.skippedBundles().containsKey(bundle.key())).isTrue();
    }
    Set<String> nonces = new HashSet<>();
    for (Transaction tx : block.transactions()) {
      if (!tx.namespace().equals(Namespace.SYSTEM)) {
        assertThat(nonces.add(tx.sender() + "/" + tx.nonce())).as("nonce used once").isTrue();
      }
    }
  }

  @Property(tries = 150)
  void randomMixesAlwaysGiveValidBlocksWithEveryBundleWhole(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 5) int bundleCount, @ForAll @IntRange(min = 0, max = 12) int plainCount) {
    Random random = new Random(seed);
    Mix mix = new Mix(random, bundleCount, plainCount, false);
    Collections.shuffle(mix.plain, random);
    ProposalBuilder.Proposal proposal = ProposalBuilder.build(mix.plain, mix.bundles, ROOMY, 5, 1000,
        IncludedBundleIndex.NONE);
    Block block = block(5, 1000, proposal.order());
    assertValidAndUnsplit(proposal, block, mix.bundles);
    // Without conflicts and with room, everything is taken.
    assertThat(proposal.bundles()).hasSize(bundleCount);
    assertThat(proposal.plain()).hasSize(plainCount);
  }

  @Property(tries = 150)
  void conflictsAndTightLimitsNeverSplitABundle(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int bundleCount,
      @ForAll @IntRange(min = 0, max = 12) int plainCount, @ForAll @IntRange(min = 0, max = 20) int maxTxs,
      @ForAll @IntRange(min = 0, max = 4000) int maxBytes) {
    Random random = new Random(seed);
    Mix mix = new Mix(random, bundleCount, plainCount, true);
    ProposalBuilder.Proposal proposal = ProposalBuilder.build(mix.plain, mix.bundles,
        new ProposalBuilder.Limits(maxTxs, maxBytes), 5, 1000, IncludedBundleIndex.NONE);
    Block block = block(5, 1000, proposal.order());
    assertValidAndUnsplit(proposal, block, mix.bundles);
    assertThat(block.transactions().size()).isLessThanOrEqualTo(maxTxs);
    long bytes = block.transactions().stream().mapToLong(Transaction::encodedLength).sum();
    assertThat(bytes).isLessThanOrEqualTo(maxBytes);
  }

  @Test
  void higherFeePerByteGoesFirstAndPlainOrderIsKept() {
    Bundle cheap = BundleBuilder.create(CHAIN, SIGNER, new Random(1)).window(BundleWindow.heights(1, 9))
        .addLeg(NS_A, payload("cheap"), ALICE, 0, 0).build();
    Bundle rich = BundleBuilder.create(CHAIN, SIGNER, new Random(2)).window(BundleWindow.heights(1, 9))
        .manifestFee(100_000).addLeg(NS_A, payload("rich"), BOB, 0, 0).build();
    Transaction p1 = plain(NS_A, ALICE, 5, 1_000, "p1");
    Transaction p2 = plain(NS_A, ALICE, 6, 1, "p2");
    ProposalBuilder.Proposal proposal = ProposalBuilder.build(List.of(p1, p2), List.of(cheap, rich), ROOMY, 5, 0,
        IncludedBundleIndex.NONE);
    List<Transaction> expected = new ArrayList<>(rich.transactions());
    expected.add(p1);
    expected.add(p2);
    expected.addAll(cheap.transactions());
    assertThat(proposal.order()).containsExactlyElementsOf(expected);
  }

  @Test
  void aPlainTransactionAtALegsNonceLosesToAHigherPriorityBundleAndViceVersa() {
    Bundle bundle = BundleBuilder.create(CHAIN, SIGNER, new Random(1)).window(BundleWindow.heights(1, 9))
        .manifestFee(1_000).addLeg(NS_A, payload("leg"), ALICE, 3, 0).addLeg(NS_B, payload("leg2"), BOB, 3, 0).build();
    Transaction cheapPlain = plain(NS_B, BOB, 3, 1, "same nonce");
    ProposalBuilder.Proposal bundleWins = ProposalBuilder.build(List.of(cheapPlain), List.of(bundle), ROOMY, 5, 0,
        IncludedBundleIndex.NONE);
    assertThat(bundleWins.bundles()).containsExactly(bundle);
    assertThat(bundleWins.plain()).isEmpty();

    Transaction richPlain = plain(NS_B, BOB, 3, 1_000_000, "same nonce, rich");
    ProposalBuilder.Proposal plainWins = ProposalBuilder.build(List.of(richPlain), List.of(bundle), ROOMY, 5, 0,
        IncludedBundleIndex.NONE);
    assertThat(plainWins.bundles()).isEmpty();
    assertThat(plainWins.plain()).containsExactly(richPlain);
    assertThat(plainWins.order()).containsExactly(richPlain);
    assertThat(plainWins.skippedBundles().get(bundle.key())).contains("nonce 3");
  }

  @Test
  void bundlesOutsideTheirWindowOrAlreadyIncludedAreSkipped() {
    Bundle bundle = threeLegBundle(3);
    assertThat(ProposalBuilder.build(List.of(), List.of(bundle), ROOMY, 101, 0, IncludedBundleIndex.NONE)
        .skippedBundles()).containsKey(bundle.key());
    ProposalBuilder.Proposal again = ProposalBuilder.build(List.of(), List.of(bundle), ROOMY, 5, 0,
        key -> key.equals(bundle.key()));
    assertThat(again.order()).isEmpty();
    assertThat(again.skippedBundles().get(bundle.key())).contains("already included");
  }

  @Test
  void loneLegsAndSystemTransactionsAmongPlainCandidatesAreLeftOut() {
    Bundle bundle = threeLegBundle(4);
    List<Transaction> candidates = List.of(bundle.legs().get(0), bundle.manifestTransaction(),
        plain(NS_C, BOB, 9, 1, "ok"));
    ProposalBuilder.Proposal proposal = ProposalBuilder.build(candidates, List.of(), ROOMY, 5, 0,
        IncludedBundleIndex.NONE);
    assertThat(proposal.order()).containsExactly(candidates.get(2));
  }
}
