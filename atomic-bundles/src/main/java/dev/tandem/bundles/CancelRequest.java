package dev.tandem.bundles;

import dev.tandem.core.Ed25519;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
import java.util.Objects;

/**
 * The signer's request to withdraw every revision up to {@code upToRevision} of the bundle with key
 * {@code BundleKeys.key(signer, replacementId)}. It names the replacement id, not the key, so that
 * anyone can check that the key belongs to the signer. A later revision above {@code upToRevision}
 * may still be submitted. Cancelling is best effort: a bundle already in a proposed block may still
 * be finalized.
 */
public record CancelRequest(long chainId, PublicKey signer, Hash replacementId, long upToRevision, byte[] signature) {
  public CancelRequest {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(replacementId, "replacementId");
    if (upToRevision < 0) {
      throw new IllegalArgumentException("revision must not be negative");
    }
    if (signature.length != Ed25519.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("signature must be " + Ed25519.SIGNATURE_LENGTH + " bytes");
    }
    signature = signature.clone();
  }

  public static CancelRequest sign(long chainId, Hash replacementId, long upToRevision, KeyPair signer) {
    Hash digest = BundleKeys.cancelDigest(chainId, signer.publicKey(), replacementId, upToRevision);
    return new CancelRequest(chainId, signer.publicKey(), replacementId, upToRevision, signer.sign(digest.toBytes()));
  }

  public Hash bundleKey() {
    return BundleKeys.key(signer, replacementId);
  }

  public boolean hasValidSignature() {
    return signer.verify(BundleKeys.cancelDigest(chainId, signer, replacementId, upToRevision).toBytes(), signature);
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  public byte[] encode() {
    return BundleCodec.encodeCancel(this);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CancelRequest c && chainId == c.chainId && signer.equals(c.signer)
        && replacementId.equals(c.replacementId) && upToRevision == c.upToRevision
        && java.util.Arrays.equals(signature, c.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chainId, signer, replacementId, upToRevision);
  }
}
