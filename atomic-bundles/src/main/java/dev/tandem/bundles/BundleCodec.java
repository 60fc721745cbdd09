package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Ed25519;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceProof;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;

/**
 * The one canonical wire encoding of bundles, manifests, cancels and receipts (layouts in docs/bundles.md).
 * Decoders are strict: bounded counts and sizes checked before allocation, no trailing bytes, and
 * every failure is a {@link DecodingException} with the reason.
 */
public final class BundleCodec {
  public static final int BUNDLE_VERSION = 1;
  public static final int MANIFEST_VERSION = 1;
  public static final int CANCEL_VERSION = 1;
  public static final int RECEIPT_VERSION = 1;
  /** A receipt carries two whole namespace slices, so it is bounded like a block. */
  public static final int MAX_RECEIPT_BYTES = Block.MAX_ENCODED_BYTES;
  /** Absolute ceiling on an encoded bundle; nodes configure a lower one. */
  public static final int MAX_BUNDLE_BYTES = 4 << 20;
  public static final int MANIFEST_MAX_BYTES = 1 + 3 * Hash.LENGTH + 8 * 5 + 4
      + Manifest.MAX_LEGS * (Namespace.LENGTH + Hash.LENGTH);
  public static final int CANCEL_BYTES = 1 + 8 + PublicKey.LENGTH + Hash.LENGTH + 8 + Ed25519.SIGNATURE_LENGTH;

  private BundleCodec() {}

  /** {@code u8 version=1, manifest transaction, u32 legCount, legCount x leg transaction}. */
  public static byte[] encodeBundle(Bundle bundle) {
    CanonicalWriter writer = new CanonicalWriter(bundle.blockBytes() + 5);
    writer.u8(BUNDLE_VERSION);
    bundle.manifestTransaction().writeTo(writer);
    writer.u32(bundle.legs().size());
    for (Transaction leg : bundle.legs()) {
      leg.writeTo(writer);
    }
    return writer.toByteArray();
  }

  /** Decodes and checks that the manifest and legs match; does not check signatures. */
  public static Bundle decodeBundle(byte[] encoded) {
    if (encoded.length > MAX_BUNDLE_BYTES) {
      throw new DecodingException("bundle of " + encoded.length + " bytes exceeds " + MAX_BUNDLE_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int version = reader.u8("bundle version");
    if (version != BUNDLE_VERSION) {
      throw new DecodingException("unsupported bundle version " + version);
    }
    Transaction manifest = Transaction.read(reader);
    int count = reader.count(Manifest.MAX_LEGS, "leg");
    if ((long) count * Transaction.OVERHEAD_BYTES > reader.remaining()) {
      throw new DecodingException("truncated bundle: " + count + " legs cannot fit in " + reader.remaining() + " bytes");
    }
    List<Transaction> legs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      legs.add(Transaction.read(reader));
    }
    reader.end();
    return Bundle.of(manifest, legs);
  }

  public static Bundle decodeBundleHex(String hex) {
    return decodeBundle(Hex.decode(hex, MAX_BUNDLE_BYTES));
  }

  /**
   * {@code u8 version=1, bytes32 bundleKey, bytes32 replacementId, u64 revision, u64 earliestHeight,
   * u64 latestHeight, u64 earliestTimeMillis, u64 latestTimeMillis, u32 legCount,
   * legCount x (u64 namespace, bytes32 txId)}.
   */
  public static byte[] encodeManifest(Manifest manifest) {
    CanonicalWriter writer = new CanonicalWriter(MANIFEST_MAX_BYTES);
    BundleWindow window = manifest.window();
    writer.u8(MANIFEST_VERSION).hash(manifest.bundleKey()).hash(manifest.replacementId()).u64(manifest.revision())
        .u64(window.earliestHeight()).u64(window.latestHeight())
        .u64(window.earliestTimeMillis()).u64(window.latestTimeMillis())
        .u32(manifest.legs().size());
    for (LegRef leg : manifest.legs()) {
      writer.u64(leg.namespace().id()).hash(leg.txId());
    }
    return writer.toByteArray();
  }

  public static Manifest decodeManifest(byte[] encoded) {
    if (encoded.length > MANIFEST_MAX_BYTES) {
      throw new DecodingException("manifest of " + encoded.length + " bytes exceeds " + MANIFEST_MAX_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int version = reader.u8("manifest version");
    if (version != MANIFEST_VERSION) {
      throw new DecodingException("unsupported manifest version " + version);
    }
    Hash key = reader.hash("bundle key");
    Hash replacementId = reader.hash("replacement id");
    long revision = reader.unsigned63("revision");
    long earliestHeight = reader.unsigned63("earliest height");
    long latestHeight = reader.unsigned63("latest height");
    long earliestTime = reader.unsigned63("earliest time");
    long latestTime = reader.unsigned63("latest time");
    int count = reader.count(Manifest.MAX_LEGS, "leg");
    List<LegRef> legs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Namespace namespace = new Namespace(reader.u64("leg namespace"));
      legs.add(new LegRef(namespace, reader.hash("leg tx id")));
    }
    reader.end();
    try {
      return new Manifest(key, replacementId, revision,
          new BundleWindow(earliestHeight, latestHeight, earliestTime, latestTime), legs);
    } catch (IllegalArgumentException invalid) {
      throw new DecodingException("invalid manifest: " + invalid.getMessage());
    }
  }

  /**
   * {@code u8 version=1, u64 chainId, bytes32 signer, bytes32 replacementId, u64 upToRevision,
   * bytes64 signature}.
   */
  public static byte[] encodeCancel(CancelRequest cancel) {
    return new CanonicalWriter(CANCEL_BYTES).u8(CANCEL_VERSION).u64(cancel.chainId()).fixed(cancel.signer().toBytes())
        .hash(cancel.replacementId()).u64(cancel.upToRevision()).fixed(cancel.signature()).toByteArray();
  }

  /** Decodes a cancel; does not check its signature (see {@link CancelRequest#hasValidSignature()}). */
  public static CancelRequest decodeCancel(byte[] encoded) {
    if (encoded.length != CANCEL_BYTES) {
      throw new DecodingException("a cancel is " + CANCEL_BYTES + " bytes, not " + encoded.length);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int version = reader.u8("cancel version");
    if (version != CANCEL_VERSION) {
      throw new DecodingException("unsupported cancel version " + version);
    }
    long chainId = reader.u64("chain id");
    PublicKey signer = PublicKey.of(reader.fixed(PublicKey.LENGTH, "signer"));
    Hash replacementId = reader.hash("replacement id");
    long upTo = reader.unsigned63("up-to revision");
    byte[] signature = reader.fixed(Ed25519.SIGNATURE_LENGTH, "signature");
    reader.end();
    return new CancelRequest(chainId, signer, replacementId, upTo, signature);
  }

  public static CancelRequest decodeCancelHex(String hex) {
    return decodeCancel(Hex.decode(hex, CANCEL_BYTES));
  }

  /** {@code u8 version=1, bytes32 bundleKey, u32 legIndex, leg slice, system slice}. */
  public static byte[] encodeReceipt(BundleReceipt receipt) {
    CanonicalWriter writer = new CanonicalWriter(1024);
    writer.u8(RECEIPT_VERSION).hash(receipt.bundleKey()).u32(receipt.legIndex());
    writeSlice(writer, receipt.legSlice());
    writeSlice(writer, receipt.systemSlice());
    return writer.toByteArray();
  }

  /** Decodes a receipt; {@link BundleReceipt#verify} checks it against a header. */
  public static BundleReceipt decodeReceipt(byte[] encoded) {
    if (encoded.length > MAX_RECEIPT_BYTES) {
      throw new DecodingException("receipt of " + encoded.length + " bytes exceeds " + MAX_RECEIPT_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int version = reader.u8("receipt version");
    if (version != RECEIPT_VERSION) {
      throw new DecodingException("unsupported receipt version " + version);
    }
    Hash key = reader.hash("bundle key");
    long legIndex = reader.u32("leg index");
    if (legIndex >= Manifest.MAX_LEGS) {
      throw new DecodingException("leg index " + legIndex + " out of range");
    }
    NamespaceSlice legSlice = readSlice(reader);
    NamespaceSlice systemSlice = readSlice(reader);
    reader.end();
    return new BundleReceipt(key, (int) legIndex, legSlice, systemSlice);
  }

  public static BundleReceipt decodeReceiptHex(String hex) {
    return decodeReceipt(Hex.decode(hex, MAX_RECEIPT_BYTES));
  }

  /** {@code u64 height, u64 namespace, u32 count, count x transaction, namespace proof}. */
  private static void writeSlice(CanonicalWriter writer, NamespaceSlice slice) {
    writer.u64(slice.height()).u64(slice.namespace().id()).u32(slice.transactions().size());
    for (Transaction tx : slice.transactions()) {
      tx.writeTo(writer);
    }
    slice.proof().writeTo(writer);
  }

  private static NamespaceSlice readSlice(CanonicalReader reader) {
    long height = reader.unsigned63("slice height");
    Namespace namespace = new Namespace(reader.u64("slice namespace"));
    int count = reader.count(Block.MAX_TRANSACTIONS, "slice transaction");
    if ((long) count * Transaction.OVERHEAD_BYTES > reader.remaining()) {
      throw new DecodingException("truncated slice: " + count + " transactions cannot fit in " + reader.remaining()
          + " bytes");
    }
    List<Transaction> txs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      txs.add(Transaction.read(reader));
    }
    return new NamespaceSlice(height, namespace, txs, NamespaceProof.read(reader));
  }
}
