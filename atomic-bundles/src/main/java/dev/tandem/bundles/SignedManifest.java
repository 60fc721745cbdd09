package dev.tandem.bundles;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.Objects;

/**
 * A manifest as it is recorded in a block: a version-1 transaction in {@link Namespace#SYSTEM}
 * whose sender is the bundle signer, whose nonce is {@link #MANIFEST_NONCE} and whose payload is
 * the manifest's encoding. Its signature is the bundle signature: it covers the chain id, the
 * window, the revision and every leg id. Its fee is the bundle's tip, paid by the signer.
 */
public record SignedManifest(Transaction transaction, Manifest manifest) {
  /**
   * Manifests take no account nonce: the bundle key, included at most once, is their replay
   * protection, so nodes exempt {@link Namespace#SYSTEM} from the per-sender nonce rules.
   */
  public static final long MANIFEST_NONCE = 0;

  public SignedManifest {
    Objects.requireNonNull(transaction, "transaction");
    Objects.requireNonNull(manifest, "manifest");
  }

  /** Reads a transaction of the SYSTEM namespace as a manifest, checking everything but the signature. */
  public static SignedManifest parse(Transaction tx) {
    if (tx.isBundleLeg()) {
      throw new DecodingException("manifest " + tx.id() + " must be a version-1 transaction, not a bundle leg");
    }
    if (!tx.namespace().equals(Namespace.SYSTEM)) {
      throw new DecodingException("manifest " + tx.id() + " must be in the system namespace, not " + tx.namespace());
    }
    if (tx.nonce() != MANIFEST_NONCE) {
      throw new DecodingException("manifest " + tx.id() + " must have nonce " + MANIFEST_NONCE + ", not " + tx.nonce());
    }
    Manifest manifest = BundleCodec.decodeManifest(tx.payload());
    Hash expected = BundleKeys.key(tx.sender(), manifest.replacementId());
    if (!expected.equals(manifest.bundleKey())) {
      throw new DecodingException("manifest " + tx.id() + " names bundle key " + manifest.bundleKey()
          + " but its signer and replacement id give " + expected);
    }
    return new SignedManifest(tx, manifest);
  }

  public Hash bundleKey() {
    return manifest.bundleKey();
  }

  /** The id of this revision of the bundle: the manifest transaction's id. */
  public Hash bundleId() {
    return transaction.id();
  }

  public PublicKey signer() {
    return transaction.sender();
  }
}
