package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Proof, for one leg of an included bundle, that the leg and the bundle's manifest are in a block:
 * the leg's namespace slice and the system namespace's slice, each with its namespace proof against
 * the block header. A rollup that trusts the header (it carries a quorum certificate) checks with
 * {@link #verify} that its leg is in the block, adjacent to and in order with the bundle's other
 * legs in its namespace, and recorded under a correctly signed manifest whose window holds the
 * block; the manifest names every other leg ({@link #otherLegs()}). That those other legs are in
 * the same block is what {@link BundleRules} made validators check; a rollup that wants to see it
 * for itself checks those legs' receipts too.
 */
public record BundleReceipt(Hash bundleKey, int legIndex, NamespaceSlice legSlice, NamespaceSlice systemSlice) {
  public BundleReceipt {
    Objects.requireNonNull(bundleKey, "bundleKey");
    Objects.requireNonNull(legSlice, "legSlice");
    Objects.requireNonNull(systemSlice, "systemSlice");
    if (legIndex < 0 || legIndex >= Manifest.MAX_LEGS) {
      throw new IllegalArgumentException("leg index " + legIndex + " out of range");
    }
  }

  /** One receipt per leg, in bundle order, for a bundle the (valid) block includes. */
  public static List<BundleReceipt> forBundle(Block block, Hash bundleKey) {
    NamespaceSlice system = block.slice(Namespace.SYSTEM);
    SignedManifest manifest = find(system, bundleKey);
    if (manifest == null) {
      throw new IllegalArgumentException("block " + block.height() + " does not include bundle " + bundleKey);
    }
    Map<Namespace, NamespaceSlice> slices = new HashMap<>();
    List<BundleReceipt> receipts = new ArrayList<>();
    List<LegRef> legs = manifest.manifest().legs();
    for (int i = 0; i < legs.size(); i++) {
      NamespaceSlice slice = slices.computeIfAbsent(legs.get(i).namespace(), block::slice);
      receipts.add(new BundleReceipt(bundleKey, i, slice, system));
    }
    return receipts;
  }

  public Verification verify(BlockHeader header) {
    if (!systemSlice.namespace().equals(Namespace.SYSTEM)) {
      return Verification.failed("the manifest slice is for namespace " + systemSlice.namespace() + ", not the system one");
    }
    Verification systemProof = systemSlice.verify(header);
    if (!systemProof.valid()) {
      return Verification.failed("system slice: " + systemProof.reason());
    }
    Verification legProof = legSlice.verify(header);
    if (!legProof.valid()) {
      return Verification.failed("leg slice: " + legProof.reason());
    }
    SignedManifest manifest;
    try {
      manifest = find(systemSlice, bundleKey);
    } catch (DecodingException malformed) {
      return Verification.failed("the system slice holds a malformed manifest: " + malformed.getMessage());
    }
    if (manifest == null) {
      return Verification.failed("no manifest for bundle " + bundleKey + " in the block");
    }
    if (!manifest.transaction().hasValidSignature()) {
      return Verification.failed("the manifest's bundle signature is not valid");
    }
    String outside = manifest.manifest().window().violation(header.height(), header.timestampMillis());
    if (outside != null) {
      return Verification.failed("block " + outside);
    }
    List<LegRef> refs = manifest.manifest().legs();
    if (legIndex >= refs.size()) {
      return Verification.failed("the bundle has " + refs.size() + " legs, not " + (legIndex + 1));
    }
    Namespace namespace = refs.get(legIndex).namespace();
    if (!legSlice.namespace().equals(namespace)) {
      return Verification.failed("leg " + legIndex + " is in namespace " + namespace + " but the slice is for "
          + legSlice.namespace());
    }
    List<Transaction> txs = legSlice.transactions();
    int previous = -1;
    for (int i = 0; i < refs.size(); i++) {
      if (!refs.get(i).namespace().equals(namespace)) {
        continue;
      }
      int position = indexOf(txs, refs.get(i).txId());
      if (position < 0) {
        return Verification.failed("leg " + i + " (" + refs.get(i).txId() + ") is not in the namespace slice");
      }
      if (previous >= 0 && position != previous + 1) {
        return Verification.failed("the bundle's legs in namespace " + namespace + " are not adjacent and in order");
      }
      previous = position;
    }
    Transaction leg = txs.get(indexOf(txs, refs.get(legIndex).txId()));
    if (!leg.bundleKey().map(bundleKey::equals).orElse(false)) {
      return Verification.failed("leg " + leg.id() + " is not bound to bundle " + bundleKey);
    }
    if (!leg.hasValidSignature()) {
      return Verification.failed("leg " + leg.id() + " has a bad signature");
    }
    return Verification.OK;
  }

  /** The manifest this receipt refers to; throws if the system slice does not hold it. */
  public SignedManifest manifest() {
    SignedManifest manifest = find(systemSlice, bundleKey);
    if (manifest == null) {
      throw new IllegalStateException("no manifest for bundle " + bundleKey + " in the system slice");
    }
    return manifest;
  }

  /** This receipt's leg transaction (check {@link #verify} first). */
  public Transaction leg() {
    Hash id = manifest().manifest().legs().get(legIndex).txId();
    int position = indexOf(legSlice.transactions(), id);
    if (position < 0) {
      throw new IllegalStateException("leg " + id + " is not in the slice");
    }
    return legSlice.transactions().get(position);
  }

  /** The bundle's other legs, namespace and transaction id, in bundle order. */
  public List<LegRef> otherLegs() {
    List<LegRef> others = new ArrayList<>(manifest().manifest().legs());
    others.remove(legIndex);
    return others;
  }

  public byte[] encode() {
    return BundleCodec.encodeReceipt(this);
  }

  private static SignedManifest find(NamespaceSlice system, Hash key) {
    for (Transaction tx : system.transactions()) {
      SignedManifest manifest = SignedManifest.parse(tx);
      if (manifest.bundleKey().equals(key)) {
        return manifest;
      }
    }
    return null;
  }

  private static int indexOf(List<Transaction> txs, Hash id) {
    for (int i = 0; i < txs.size(); i++) {
      if (txs.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }
}
