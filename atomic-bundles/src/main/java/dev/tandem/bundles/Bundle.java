package dev.tandem.bundles;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An atomic bundle: a signed manifest and its legs, in bundle order. Every leg is a version-2
 * transaction bound to the bundle key by its own sender's signature, and the manifest lists every
 * leg's id, so neither half is valid without the other. Immutable; constructed only through
 * {@link #of}, which checks that the halves match (signatures are checked by
 * {@link #verifySignatures()}).
 */
public final class Bundle {
  private final SignedManifest manifest;
  private final List<Transaction> legs;
  private final int encodedLength;
  private final long totalFee;

  private Bundle(SignedManifest manifest, List<Transaction> legs) {
    this.manifest = manifest;
    this.legs = List.copyOf(legs);
    int bytes = manifest.transaction().encodedLength();
    long fee = manifest.transaction().fee();
    for (Transaction leg : legs) {
      bytes += leg.encodedLength();
      fee = Priority.saturatedAdd(fee, leg.fee());
    }
    this.encodedLength = bytes;
    this.totalFee = fee;
  }

  /** Pairs a manifest transaction with its legs; throws {@link DecodingException} if they do not match. */
  public static Bundle of(Transaction manifestTx, List<Transaction> legs) {
    SignedManifest signed = SignedManifest.parse(Objects.requireNonNull(manifestTx, "manifestTx"));
    List<LegRef> refs = signed.manifest().legs();
    if (legs.size() != refs.size()) {
      throw new DecodingException("manifest lists " + refs.size() + " legs but the bundle carries " + legs.size());
    }
    Set<String> senderNonces = new HashSet<>();
    for (int i = 0; i < legs.size(); i++) {
      Transaction leg = legs.get(i);
      LegRef ref = refs.get(i);
      if (!leg.bundleKey().map(signed.bundleKey()::equals).orElse(false)) {
        throw new DecodingException("leg " + i + " (" + leg.id() + ") is not bound to bundle key " + signed.bundleKey());
      }
      if (!leg.namespace().equals(ref.namespace())) {
        throw new DecodingException("leg " + i + " is in namespace " + leg.namespace() + " but the manifest says "
            + ref.namespace());
      }
      if (!leg.id().equals(ref.txId())) {
        throw new DecodingException("leg " + i + " has id " + leg.id() + " but the manifest lists " + ref.txId());
      }
      if (leg.chainId() != manifestTx.chainId()) {
        throw new DecodingException("leg " + i + " is for chain " + leg.chainId() + ", the manifest for "
            + manifestTx.chainId());
      }
      if (!senderNonces.add(leg.sender() + "/" + leg.nonce())) {
        throw new DecodingException("leg " + i + " reuses nonce " + leg.nonce() + " of sender " + leg.sender());
      }
    }
    return new Bundle(signed, legs);
  }

  /** Checks the manifest's and every leg's Ed25519 signature. */
  public Verification verifySignatures() {
    if (!manifest.transaction().hasValidSignature()) {
      return Verification.failed("bad bundle signature on manifest " + id());
    }
    for (int i = 0; i < legs.size(); i++) {
      if (!legs.get(i).hasValidSignature()) {
        return Verification.failed("bad signature on leg " + i + " (" + legs.get(i).id() + ")");
      }
    }
    return Verification.OK;
  }

  public Hash key() {
    return manifest.bundleKey();
  }

  /** This revision's id: the manifest transaction's id. */
  public Hash id() {
    return manifest.bundleId();
  }

  public PublicKey signer() {
    return manifest.signer();
  }

  public long chainId() {
    return manifest.transaction().chainId();
  }

  public long revision() {
    return manifest.manifest().revision();
  }

  public Hash replacementId() {
    return manifest.manifest().replacementId();
  }

  public BundleWindow window() {
    return manifest.manifest().window();
  }

  public SignedManifest manifest() {
    return manifest;
  }

  public Transaction manifestTransaction() {
    return manifest.transaction();
  }

  public List<Transaction> legs() {
    return legs;
  }

  /** The manifest then the legs in bundle order: the unit a proposer lists consecutively. */
  public List<Transaction> transactions() {
    List<Transaction> out = new ArrayList<>(legs.size() + 1);
    out.add(manifest.transaction());
    out.addAll(legs);
    return out;
  }

  /** Bytes this bundle takes in a block (manifest and legs). */
  public int blockBytes() {
    return encodedLength;
  }

  /** Manifest fee plus every leg's fee, saturating at {@link Long#MAX_VALUE}. */
  public long totalFee() {
    return totalFee;
  }

  public byte[] encode() {
    return BundleCodec.encodeBundle(this);
  }

  /** The {@code 0x} hex of {@link #encode()}, as {@code tandem_sendBundle} takes it. */
  public String toHex() {
    return Hex.encode(encode());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Bundle && manifest.transaction().equals(((Bundle) other).manifest.transaction())
        && legs.equals(((Bundle) other).legs);
  }

  @Override
  public int hashCode() {
    return id().hashCode();
  }

  @Override
  public String toString() {
    return "Bundle(key=" + key() + ", revision=" + revision() + ", " + legs.size() + " legs)";
  }
}
