package dev.tandem.bundles;

import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Client-side construction of a bundle. The bundle key is fixed as soon as the replacement id is
 * (a fresh random one unless {@link #replacementId} is called first), so legs can be signed, here
 * or by other parties with {@link #bundleKey()}, before the manifest exists:
 *
 * <pre>{@code
 * Bundle bundle = BundleBuilder.create(chainId, signer)
 *     .window(BundleWindow.heights(100, 120))
 *     .addLeg(Namespace.of(10), payloadA, alice, 7, feeA)
 *     .addLeg(Namespace.of(20), payloadB, alice, 8, feeB)
 *     .build();
 * String hex = bundle.toHex(); // for tandem_sendBundle
 * }</pre>
 *
 * Not thread-safe; one builder per bundle.
 */
public final class BundleBuilder {
  private final long chainId;
  private final KeyPair signer;
  private final Random random;
  private final List<Transaction> legs = new ArrayList<>();
  private Hash replacementId;
  private long revision;
  private long manifestFee;
  private BundleWindow window;

  private BundleBuilder(long chainId, KeyPair signer, Random random) {
    this.chainId = chainId;
    this.signer = Objects.requireNonNull(signer, "signer");
    this.random = Objects.requireNonNull(random, "random");
  }

  public static BundleBuilder create(long chainId, KeyPair signer) {
    return new BundleBuilder(chainId, signer, new SecureRandom());
  }

  /** With the randomness for the replacement id given (seeded in tests and simulations). */
  public static BundleBuilder create(long chainId, KeyPair signer, Random random) {
    return new BundleBuilder(chainId, signer, random);
  }

  /** Reuse a replacement id to replace an earlier revision of the same bundle; must precede any leg. */
  public BundleBuilder replacementId(Hash id) {
    if (replacementId != null && !replacementId.equals(id)) {
      throw new IllegalStateException("the replacement id is already fixed; set it before adding legs");
    }
    replacementId = Objects.requireNonNull(id, "replacementId");
    return this;
  }

  /** Higher revisions replace lower ones of the same key while pending; default 0. */
  public BundleBuilder revision(long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative");
    }
    this.revision = revision;
    return this;
  }

  public BundleBuilder window(BundleWindow window) {
    this.window = Objects.requireNonNull(window, "window");
    return this;
  }

  /** The signer's tip on the manifest transaction; it must cover the node's fee for the manifest's bytes. */
  public BundleBuilder manifestFee(long fee) {
    if (fee < 0) {
      throw new IllegalArgumentException("fee must not be negative");
    }
    this.manifestFee = fee;
    return this;
  }

  /** The key legs must be bound to; fixes the replacement id. */
  public Hash bundleKey() {
    if (replacementId == null) {
      replacementId = BundleKeys.randomReplacementId(random);
    }
    return BundleKeys.key(signer.publicKey(), replacementId);
  }

  public Hash replacementIdValue() {
    bundleKey();
    return replacementId;
  }

  /** Signs and appends a leg with {@code sender}'s key. */
  public BundleBuilder addLeg(Namespace namespace, byte[] payload, KeyPair sender, long nonce, long fee) {
    return addSignedLeg(Transaction.signBundleLeg(chainId, bundleKey(), namespace, nonce, fee, payload, sender));
  }

  /** Appends a leg another party signed with {@link #bundleKey()}. */
  public BundleBuilder addSignedLeg(Transaction leg) {
    if (!leg.bundleKey().map(bundleKey()::equals).orElse(false)) {
      throw new IllegalArgumentException("leg " + leg.id() + " is not bound to bundle key " + bundleKey());
    }
    if (legs.size() == Manifest.MAX_LEGS) {
      throw new IllegalStateException("a bundle has at most " + Manifest.MAX_LEGS + " legs");
    }
    legs.add(leg);
    return this;
  }

  /** Writes the manifest and signs it; the result passes {@link Bundle#verifySignatures()}. */
  public Bundle build() {
    if (window == null) {
      throw new IllegalStateException("a bundle needs an inclusion window");
    }
    if (legs.isEmpty()) {
      throw new IllegalStateException("a bundle needs at least one leg");
    }
    List<LegRef> refs = new ArrayList<>(legs.size());
    for (Transaction leg : legs) {
      refs.add(new LegRef(leg.namespace(), leg.id()));
    }
    Manifest manifest = new Manifest(bundleKey(), replacementId, revision, window, refs);
    Transaction manifestTx = Transaction.sign(chainId, Namespace.SYSTEM, SignedManifest.MANIFEST_NONCE, manifestFee,
        manifest.encode(), signer);
    return Bundle.of(manifestTx, legs);
  }
}
