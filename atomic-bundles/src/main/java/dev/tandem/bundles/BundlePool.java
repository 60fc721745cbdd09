package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's pending bundles and the statuses of recent ones. Pure: no I/O, no clock (time is passed
 * in), no threads; thread-safe by locking this object, and simulators run outside the lock.
 *
 * <p>Conflict rules, none of which ever splits a bundle (see docs/bundles.md):
 * <ul>
 *   <li>A pending bundle claims each leg's sender nonce. A bundle with a leg at a nonce another
 *       pending bundle claims is rejected: the first seen wins until it leaves the pool.</li>
 *   <li>Same key: a strictly higher revision replaces the pending one as a unit (the old one
 *       becomes {@link BundleState#REPLACED}); an equal or lower one is rejected.</li>
 *   <li>When a finalized block uses a claimed nonce for another transaction, the claiming bundle
 *       can never be included and becomes {@link BundleState#REJECTED}.</li>
 *   <li>In a block, a bundle and a plain transaction at the same nonce are settled by priority in
 *       {@link ProposalBuilder}; the node's mempool should refuse a plain transaction at a nonce
 *       {@link #nonceClaim} reports, which keeps first-seen consistent across both pools.</li>
 * </ul>
 * Submit rejections are returned, not stored; statuses of bundles that were pending, and of every
 * bundle a finalized block included, are kept for {@code retentionMillis} after they end.
 */
public final class BundlePool {
  /** Pool limits: bundles pending at once, and how long ended statuses are kept. */
  public record Config(long chainId, int maxPending, long retentionMillis) {
    public Config {
      if (maxPending < 1 || retentionMillis < 0) {
        throw new IllegalArgumentException("maxPending must be positive and retentionMillis not negative");
      }
    }
  }

  private static final class Entry {
    Bundle bundle; // null for an included bundle this pool never saw, or a cancel before any revision
    BundleStatus status;
    long seq;
    long endedAtMillis;
    long cancelledUpTo = -1;
    boolean countedPending;
  }

  private record SenderNonce(PublicKey sender, long nonce) {}

  private record Ended(Hash key, long atMillis) {}

  private final Config config;
  private final Map<Hash, Entry> byKey = new HashMap<>();
  private final Map<Hash, BundleStatus> replacedById = new HashMap<>();
  private final Map<SenderNonce, Hash> claims = new HashMap<>();
  private final ArrayDeque<Ended> ended = new ArrayDeque<>();
  private int pending;
  private long nextSeq;
  private long finalizedHeight = -1;
  private long finalizedTimeMillis = -1;

  public BundlePool(Config config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Admits a bundle (signatures checked here) or says why not. An identical resubmission returns
   * the current status. {@code included} is the node's index of keys already in the log.
   */
  public BundleStatus submit(Bundle bundle, IncludedBundleIndex included, long nowMillis) {
    Verification signatures = bundle.verifySignatures();
    synchronized (this) {
      prune(nowMillis);
      String refusal = refusal(bundle, signatures, included, nowMillis);
      if (refusal != null) {
        return BundleStatus.of(bundle, BundleState.REJECTED, refusal);
      }
      Entry entry = byKey.get(bundle.key());
      if (entry != null && entry.status.state() == BundleState.PENDING) {
        if (entry.bundle.id().equals(bundle.id())) {
          return entry.status;
        }
        release(entry);
        replacedById.put(entry.bundle.id(), entry.status.with(BundleState.REPLACED,
            "replaced by revision " + bundle.revision()));
        ended.add(new Ended(entry.bundle.id(), nowMillis));
      } else {
        Entry fresh = new Entry();
        fresh.seq = nextSeq++;
        fresh.cancelledUpTo = entry == null ? -1 : entry.cancelledUpTo;
        fresh.countedPending = true;
        entry = fresh;
        byKey.put(bundle.key(), entry);
        pending++;
      }
      entry.bundle = bundle;
      entry.status = BundleStatus.of(bundle, BundleState.PENDING, "waiting for a block in its window");
      for (Transaction leg : bundle.legs()) {
        claims.put(new SenderNonce(leg.sender(), leg.nonce()), bundle.key());
      }
      return entry.status;
    }
  }

  private String refusal(Bundle bundle, Verification signatures, IncludedBundleIndex included, long nowMillis) {
    if (bundle.chainId() != config.chainId()) {
      return "bundle is for chain " + bundle.chainId() + ", this node sequences chain " + config.chainId();
    }
    if (!signatures.valid()) {
      return signatures.reason();
    }
    BundleWindow window = bundle.window();
    if ((finalizedHeight >= 0 && window.isOverAfter(finalizedHeight, finalizedTimeMillis))
        || window.latestTimeMillis() < nowMillis) {
      return "the bundle's window has already ended";
    }
    Entry entry = byKey.get(bundle.key());
    if (included.isIncluded(bundle.key()) || (entry != null && entry.status.state() == BundleState.INCLUDED)) {
      return "bundle key " + bundle.key() + " was already included";
    }
    if (entry != null && bundle.revision() <= entry.cancelledUpTo) {
      return "revisions up to " + entry.cancelledUpTo + " of this bundle were cancelled by the signer";
    }
    boolean replacing = entry != null && entry.status.state() == BundleState.PENDING;
    if (replacing && !entry.bundle.id().equals(bundle.id()) && bundle.revision() <= entry.bundle.revision()) {
      return "revision " + bundle.revision() + " does not replace pending revision " + entry.bundle.revision()
          + "; a replacement needs a higher revision";
    }
    for (Transaction leg : bundle.legs()) {
      Hash claim = claims.get(new SenderNonce(leg.sender(), leg.nonce()));
      if (claim != null && !claim.equals(bundle.key())) {
        return "nonce conflict: nonce " + leg.nonce() + " of sender " + leg.sender() + " is claimed by pending bundle "
            + claim + " (first seen wins)";
      }
    }
    if (!replacing && pending >= config.maxPending()) {
      return "the bundle pool is full (" + config.maxPending() + " pending)";
    }
    return null;
  }

  /**
   * Withdraws revisions up to {@code cancel.upToRevision()} of the signer's bundle and remembers
   * the cancel, so those revisions cannot come back. Too late once the bundle is included.
   *
   * @throws IllegalArgumentException for another chain or a bad signature
   */
  public BundleStatus cancel(CancelRequest cancel, long nowMillis) {
    if (cancel.chainId() != config.chainId()) {
      throw new IllegalArgumentException("cancel is for chain " + cancel.chainId());
    }
    if (!cancel.hasValidSignature()) {
      throw new IllegalArgumentException("cancel has a bad signature");
    }
    synchronized (this) {
      prune(nowMillis);
      Hash key = cancel.bundleKey();
      Entry entry = byKey.get(key);
      if (entry == null) {
        entry = new Entry();
        entry.seq = nextSeq++;
        entry.status = new BundleStatus(key, null, cancel.upToRevision(), BundleState.CANCELLED,
            "cancelled by the signer before any revision arrived", -1, null, List.of());
        byKey.put(key, entry);
        end(entry, key, nowMillis);
      }
      entry.cancelledUpTo = Math.max(entry.cancelledUpTo, cancel.upToRevision());
      if (entry.status.state() == BundleState.PENDING && entry.bundle.revision() <= entry.cancelledUpTo) {
        release(entry);
        entry.status = entry.status.with(BundleState.CANCELLED, "cancelled by the signer");
        end(entry, key, nowMillis);
      }
      return entry.status;
    }
  }

  /**
   * The pending bundles a proposer at {@code height}/{@code timestampMillis} may include, best
   * priority first (total fee per byte, then first seen), at most {@code maxBundles} of them. Each
   * is first simulated with the simulator of every namespace it touches (namespaces without one are
   * not simulated); a bundle with a leg that would revert is left out and its status says why.
   */
  public List<Bundle> proposable(long height, long timestampMillis, IncludedBundleIndex included,
      Map<Namespace, LegSimulator> simulators, int maxBundles) {
    List<Entry> candidates = new ArrayList<>();
    synchronized (this) {
      for (Entry entry : byKey.values()) {
        if (entry.status.state() == BundleState.PENDING && entry.bundle.window().contains(height, timestampMillis)
            && !included.isIncluded(entry.bundle.key())) {
          candidates.add(entry);
        }
      }
      candidates.sort(Comparator.<Entry, Bundle>comparing(e -> e.bundle, (a, b) ->
          Priority.compare(b.totalFee(), b.blockBytes(), a.totalFee(), a.blockBytes())).thenComparingLong(e -> e.seq));
    }
    List<Bundle> out = new ArrayList<>();
    for (Entry entry : candidates) {
      if (out.size() >= maxBundles) {
        break;
      }
      Bundle bundle;
      synchronized (this) {
        bundle = entry.bundle;
      }
      SimulationResult simulated = simulate(bundle, simulators);
      synchronized (this) {
        if (entry.status.state() != BundleState.PENDING || entry.bundle != bundle) {
          continue; // replaced, cancelled or ended meanwhile
        }
        if (simulated.ok()) {
          out.add(bundle);
          entry.status = entry.status.with(BundleState.PENDING, "waiting for a block in its window");
        } else {
          entry.status = entry.status.with(BundleState.PENDING,
              "not proposed at height " + height + ": " + simulated.reason());
        }
      }
    }
    return out;
  }

  /**
   * Runs the simulator of every namespace {@code bundle} touches on that namespace's legs, in bundle
   * order (namespaces without a simulator are not simulated). A simulator that throws or returns
   * nothing counts as a revert. The reason names the namespace of the first leg that would revert.
   */
  public static SimulationResult simulate(Bundle bundle, Map<Namespace, LegSimulator> simulators) {
    Map<Namespace, List<Transaction>> byNamespace = new LinkedHashMap<>();
    for (Transaction leg : bundle.legs()) {
      byNamespace.computeIfAbsent(leg.namespace(), ns -> new ArrayList<>()).add(leg);
    }
    for (Map.Entry<Namespace, List<Transaction>> legs : byNamespace.entrySet()) {
      LegSimulator simulator = simulators.get(legs.getKey());
      if (simulator == null) {
        continue;
      }
      SimulationResult result;
      try {
        result = simulator.simulate(legs.getValue());
      } catch (RuntimeException failure) {
        result = SimulationResult.wouldRevert("simulator failed: " + failure.getMessage());
      }
      if (result == null || !result.ok()) {
        return SimulationResult.wouldRevert("a leg in namespace " + legs.getKey() + " would revert: "
            + (result == null ? "no simulation result" : result.reason()));
      }
    }
    return SimulationResult.OK;
  }


  /**
   * Applies a finalized block: its bundles become {@link BundleState#INCLUDED} (also ones this
   * pool never saw), pending bundles whose leg nonce the block used become
   * {@link BundleState#REJECTED}, and pending bundles whose window is over become
   * {@link BundleState#EXPIRED}. Call once per finalized block, in height order.
   */
  public synchronized void onFinalized(Block block, long nowMillis) {
    long height = block.height();
    long timestamp = block.header().timestampMillis();
    finalizedHeight = height;
    finalizedTimeMillis = Math.max(finalizedTimeMillis, timestamp);
    for (SignedManifest manifest : BundleRules.manifests(block)) {
      Hash key = manifest.bundleKey();
      Entry entry = byKey.get(key);
      if (entry == null) {
        entry = new Entry();
        entry.seq = nextSeq++;
        byKey.put(key, entry);
      } else if (entry.status.state() == BundleState.PENDING) {
        release(entry);
        if (!entry.bundle.id().equals(manifest.bundleId())) {
          replacedById.put(entry.bundle.id(), entry.status.with(BundleState.REJECTED,
              "revision " + manifest.manifest().revision() + " of this bundle was included instead"));
          ended.add(new Ended(entry.bundle.id(), nowMillis));
        }
      }
      entry.bundle = null;
      entry.status = new BundleStatus(key, manifest.bundleId(), manifest.manifest().revision(), BundleState.INCLUDED,
          "included at height " + height, height, block.hash(), manifest.manifest().legs());
      end(entry, key, nowMillis);
    }
    for (Transaction tx : block.transactions()) {
      if (tx.namespace().equals(Namespace.SYSTEM)) {
        continue;
      }
      Hash claim = claims.get(new SenderNonce(tx.sender(), tx.nonce()));
      Entry entry = claim == null ? null : byKey.get(claim);
      if (entry != null && entry.status.state() == BundleState.PENDING) {
        release(entry);
        entry.status = entry.status.with(BundleState.REJECTED, "nonce " + tx.nonce() + " of sender " + tx.sender()
            + " was used by transaction " + tx.id() + " at height " + height);
        end(entry, claim, nowMillis);
      }
    }
    for (Map.Entry<Hash, Entry> e : byKey.entrySet()) {
      Entry entry = e.getValue();
      if (entry.status.state() == BundleState.PENDING && entry.bundle.window().isOverAfter(height, timestamp)) {
        release(entry);
        entry.status = entry.status.with(BundleState.EXPIRED, "the window ended at height " + height
            + " without the bundle being included; no leg was included");
        end(entry, e.getKey(), nowMillis);
      }
    }
    prune(nowMillis);
  }

  /** The status of the bundle with this key (its latest revision), if known. */
  public synchronized Optional<BundleStatus> status(Hash bundleKey) {
    Entry entry = byKey.get(bundleKey);
    return entry == null ? Optional.empty() : Optional.of(entry.status);
  }

  /** The status of one revision by its id (manifest transaction id), including replaced ones. */
  public synchronized Optional<BundleStatus> statusById(Hash bundleId) {
    BundleStatus old = replacedById.get(bundleId);
    if (old != null) {
      return Optional.of(old);
    }
    for (Entry entry : byKey.values()) {
      if (bundleId.equals(entry.status.bundleId())) {
        return Optional.of(entry.status);
      }
    }
    return Optional.empty();
  }

  /** The key of the pending bundle that claims this sender nonce, for the node's mempool admission. */
  public synchronized Optional<Hash> nonceClaim(PublicKey sender, long nonce) {
    return Optional.ofNullable(claims.get(new SenderNonce(sender, nonce)));
  }

  public synchronized int pendingCount() {
    return pending;
  }

  private void release(Entry entry) {
    for (Transaction leg : entry.bundle.legs()) {
      claims.remove(new SenderNonce(leg.sender(), leg.nonce()), entry.bundle.key());
    }
  }

  /** Marks a record ended now; a formerly pending one stops counting against the limit. */
  private void end(Entry entry, Hash key, long nowMillis) {
    if (entry.countedPending) {
      entry.countedPending = false;
      pending--;
    }
    entry.bundle = null;
    entry.endedAtMillis = nowMillis;
    ended.add(new Ended(key, nowMillis));
  }

  private void prune(long nowMillis) {
    while (!ended.isEmpty() && ended.peekFirst().atMillis() + config.retentionMillis() < nowMillis) {
      Ended old = ended.pollFirst();
      replacedById.remove(old.key());
      Entry entry = byKey.get(old.key());
      if (entry != null && entry.status.state().isTerminal() && entry.endedAtMillis == old.atMillis()) {
        byKey.remove(old.key());
      }
    }
  }
}
