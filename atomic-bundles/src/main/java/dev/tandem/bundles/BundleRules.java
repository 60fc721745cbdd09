package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The consensus rule that makes bundles all-or-nothing. Pure and deterministic: validators vote by
 * it and proposers check their own blocks with it. It does not check Ed25519 signatures, chain ids
 * or sender nonces; the node's block validator checks those for every transaction.
 */
public final class BundleRules {
  private BundleRules() {}

  /**
   * Accepts a block only if: every transaction of {@link Namespace#SYSTEM} is a well-formed manifest
   * with a key no earlier block (per {@code included}) and no other manifest of this block recorded;
   * every manifest's window contains the block's height and timestamp; every leg listed by a
   * manifest is in the block, and a bundle's legs in each namespace are adjacent and in bundle
   * order; and every bundle leg in the block is listed by a manifest of this block.
   */
  public static Verification checkBlock(Block block, IncludedBundleIndex included) {
    long height = block.height();
    long timestamp = block.header().timestampMillis();
    List<Transaction> txs = block.transactions();

    Map<Hash, SignedManifest> manifests = new LinkedHashMap<>();
    Map<Hash, Integer> legPositions = new HashMap<>();
    for (int i = 0; i < txs.size(); i++) {
      Transaction tx = txs.get(i);
      if (tx.namespace().equals(Namespace.SYSTEM)) {
        SignedManifest manifest;
        try {
          manifest = SignedManifest.parse(tx);
        } catch (DecodingException malformed) {
          return Verification.failed("system transaction " + tx.id() + " is not a valid manifest: "
              + malformed.getMessage());
        }
        Hash key = manifest.bundleKey();
        if (manifests.putIfAbsent(key, manifest) != null) {
          return Verification.failed("bundle " + key + " has two manifests in the block");
        }
        if (included.isIncluded(key)) {
          return Verification.failed("bundle " + key + " was already included in an earlier block");
        }
        String outside = manifest.manifest().window().violation(height, timestamp);
        if (outside != null) {
          return Verification.failed("bundle " + key + ": block " + outside);
        }
      } else if (tx.isBundleLeg() && legPositions.putIfAbsent(tx.id(), i) != null) {
        return Verification.failed("leg " + tx.id() + " appears twice in the block");
      }
    }

    Map<Hash, Hash> listedBy = new HashMap<>();
    for (SignedManifest manifest : manifests.values()) {
      Verification legs = checkLegs(manifest, txs, legPositions);
      if (!legs.valid()) {
        return legs;
      }
      for (LegRef ref : manifest.manifest().legs()) {
        listedBy.put(ref.txId(), manifest.bundleKey());
      }
    }

    for (Map.Entry<Hash, Integer> leg : legPositions.entrySet()) {
      Transaction tx = txs.get(leg.getValue());
      Hash key = tx.bundleKey().orElseThrow();
      if (!manifests.containsKey(key)) {
        return Verification.failed("leg " + tx.id() + " of bundle " + key + " appears without its manifest");
      }
      if (!key.equals(listedBy.get(tx.id()))) {
        return Verification.failed("leg " + tx.id() + " is bound to bundle " + key + " but its manifest does not list it");
      }
    }
    return Verification.OK;
  }

  /** Every listed leg present; within each namespace, the legs sit at consecutive positions in bundle order. */
  private static Verification checkLegs(SignedManifest manifest, List<Transaction> txs, Map<Hash, Integer> positions) {
    Hash key = manifest.bundleKey();
    Map<Namespace, Integer> lastPosition = new HashMap<>();
    List<LegRef> refs = manifest.manifest().legs();
    for (int i = 0; i < refs.size(); i++) {
      LegRef ref = refs.get(i);
      Integer position = positions.get(ref.txId());
      if (position == null) {
        return Verification.failed("bundle " + key + ": leg " + i + " (" + ref.txId() + " in namespace "
            + ref.namespace() + ") is missing from the block");
      }
      Transaction tx = txs.get(position);
      if (!tx.namespace().equals(ref.namespace()) || !tx.bundleKey().orElseThrow().equals(key)) {
        return Verification.failed("bundle " + key + ": leg " + i + " does not match its manifest entry");
      }
      Integer previous = lastPosition.put(ref.namespace(), position);
      if (previous != null && position != previous + 1) {
        return Verification.failed("bundle " + key + ": legs in namespace " + ref.namespace()
            + " are not adjacent and in bundle order (leg " + i + " at position " + position + ", the previous leg at "
            + previous + ")");
      }
    }
    return Verification.OK;
  }

  /** The manifests a block records, in block order; throws {@link DecodingException} on a malformed one. */
  public static List<SignedManifest> manifests(Block block) {
    List<SignedManifest> out = new ArrayList<>();
    for (Transaction tx : block.transactions()) {
      if (!tx.namespace().equals(Namespace.SYSTEM)) {
        break; // the system namespace sorts first
      }
      out.add(SignedManifest.parse(tx));
    }
    return out;
  }
}
