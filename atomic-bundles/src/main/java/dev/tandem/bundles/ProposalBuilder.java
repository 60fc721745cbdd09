package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Orders a proposer's candidates so that the block {@link Block#build} makes from them passes
 * {@link BundleRules#checkBlock}.
 *
 * <p>Why the order works: each selected bundle is listed as one consecutive run (manifest, then legs
 * in bundle order) with nothing inside it. {@code Block.build} sorts stably by namespace, so within
 * a namespace the relative order of the proposal is kept; restricted to one namespace, a run of
 * consecutive entries stays consecutive. Every bundle's legs therefore end up adjacent and in
 * bundle order in each namespace, whatever bundles and plain transactions surround them.
 *
 * <p>Selection: bundles are taken as units in priority order (total fee per block byte, highest
 * first; ties keep the input order, which the pool makes first-seen), merged with the plain
 * candidates, whose given order is kept: the next bundle goes before the next plain transaction
 * when its fee per byte is at least as high. A unit that does not fit the limits is skipped whole.
 * A sender nonce is used once per block: a unit conflicting with an already-selected one is
 * skipped whole (the higher-priority unit wins the block; a bundle is never split).
 */
public final class ProposalBuilder {
  private ProposalBuilder() {}

  /** Block limits the proposal must fit. */
  public record Limits(int maxTransactions, long maxBytes) {
    public Limits {
      if (maxTransactions < 0 || maxBytes < 0) {
        throw new IllegalArgumentException("limits must not be negative");
      }
    }
  }

  /**
   * The result: {@code order} goes to {@code Block.build}; {@code bundles} and {@code plain} are what
   * was selected; {@code skippedBundles} says why each other bundle was left out of this block.
   */
  public record Proposal(List<Transaction> order, List<Bundle> bundles, List<Transaction> plain,
      Map<Hash, String> skippedBundles) {
    public Proposal {
      order = List.copyOf(order);
      bundles = List.copyOf(bundles);
      plain = List.copyOf(plain);
      skippedBundles = Map.copyOf(skippedBundles);
    }
  }

  /**
   * Builds the proposal order for a block at {@code height} and {@code timestampMillis}. Plain
   * candidates that are bundle legs or in the system namespace are never valid alone and are left
   * out. Bundles whose window excludes the block or whose key {@code included} knows are skipped.
   */
  public static Proposal build(List<Transaction> plainCandidates, List<Bundle> bundles, Limits limits, long height,
      long timestampMillis, IncludedBundleIndex included) {
    Objects.requireNonNull(included, "included");
    Map<Hash, String> skipped = new LinkedHashMap<>();
    List<Bundle> ranked = new ArrayList<>();
    Set<Hash> keys = new HashSet<>();
    for (Bundle bundle : bundles) {
      if (!bundle.window().contains(height, timestampMillis)) {
        skipped.put(bundle.key(), "block is outside the bundle's window");
      } else if (included.isIncluded(bundle.key())) {
        skipped.put(bundle.key(), "bundle key already included");
      } else if (keys.add(bundle.key())) {
        ranked.add(bundle);
      } else {
        skipped.putIfAbsent(bundle.key(), "another revision of this bundle is a candidate");
      }
    }
    // Stable: equal priorities keep the input order.
    ranked.sort((a, b) -> Priority.compare(b.totalFee(), b.blockBytes(), a.totalFee(), a.blockBytes()));
    List<Transaction> plain = new ArrayList<>();
    for (Transaction tx : plainCandidates) {
      if (!tx.isBundleLeg() && !tx.namespace().equals(Namespace.SYSTEM)) {
        plain.add(tx);
      }
    }

    Selection selection = new Selection(limits);
    int nextBundle = 0;
    int nextPlain = 0;
    while (nextBundle < ranked.size() || nextPlain < plain.size()) {
      boolean takeBundle;
      if (nextBundle == ranked.size()) {
        takeBundle = false;
      } else if (nextPlain == plain.size()) {
        takeBundle = true;
      } else {
        Bundle bundle = ranked.get(nextBundle);
        Transaction tx = plain.get(nextPlain);
        takeBundle = Priority.compare(bundle.totalFee(), bundle.blockBytes(), tx.fee(), tx.encodedLength()) >= 0;
      }
      if (takeBundle) {
        Bundle bundle = ranked.get(nextBundle++);
        String refusal = selection.tryAdd(bundle.transactions());
        if (refusal == null) {
          selection.bundles.add(bundle);
        } else {
          skipped.put(bundle.key(), refusal);
        }
      } else {
        Transaction tx = plain.get(nextPlain++);
        if (selection.tryAdd(List.of(tx)) == null) {
          selection.plain.add(tx);
        }
      }
    }
    return new Proposal(selection.order, selection.bundles, selection.plain, skipped);
  }

  /** The growing proposal: units are added whole or not at all. */
  private static final class Selection {
    private final Limits limits;
    private final List<Transaction> order = new ArrayList<>();
    private final List<Bundle> bundles = new ArrayList<>();
    private final List<Transaction> plain = new ArrayList<>();
    private final Set<SenderNonce> nonces = new HashSet<>();
    private final Set<Hash> ids = new HashSet<>();
    private long bytes;

    Selection(Limits limits) {
      this.limits = limits;
    }

    /** Adds the unit and returns null, or returns why not. */
    String tryAdd(List<Transaction> unit) {
      long unitBytes = 0;
      for (Transaction tx : unit) {
        unitBytes += tx.encodedLength();
      }
      if (order.size() + unit.size() > limits.maxTransactions()) {
        return "does not fit the block's transaction limit";
      }
      if (bytes + unitBytes > limits.maxBytes()) {
        return "does not fit the block's byte limit";
      }
      for (Transaction tx : unit) {
        if (ids.contains(tx.id())) {
          return "transaction " + tx.id() + " is already in the block";
        }
        // Manifests take no account nonce (SignedManifest.MANIFEST_NONCE).
        if (!tx.namespace().equals(Namespace.SYSTEM) && nonces.contains(new SenderNonce(tx.sender(), tx.nonce()))) {
          return "nonce " + tx.nonce() + " of sender " + tx.sender() + " is used by a higher-priority transaction";
        }
      }
      for (Transaction tx : unit) {
        ids.add(tx.id());
        if (!tx.namespace().equals(Namespace.SYSTEM)) {
          nonces.add(new SenderNonce(tx.sender(), tx.nonce()));
        }
      }
      order.addAll(unit);
      bytes += unitBytes;
      return null;
    }
  }

  private record SenderNonce(PublicKey sender, long nonce) {}
}
