package dev.tandem.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A signed transaction envelope: an opaque payload for one rollup namespace, signed by its
 * sender's Ed25519 key. The sequencer orders envelopes; it never interprets payloads.
 *
 * <p>Canonical encoding: {@code u8 version, u64 chainId, [bytes32 bundleKey if version=2],
 * u64 namespace, bytes32 sender, u64 nonce, u64 fee, bytes payload (u32 length), bytes64 signature}.
 * Version 1 is a standalone transaction. Version 2 is a leg of an atomic bundle: it is bound to
 * its bundle's key by the sender's own signature, so it is valid only inside that bundle and no
 * proposer can include it alone. The signature covers {@code Hashing.hash(TX_SIGNING, body)}
 * where body is everything before the signature; the transaction id is that same hash, so an id
 * never depends on the signature.
 */
public final class Transaction {
  public static final int VERSION = 1;
  public static final int VERSION_BUNDLE_LEG = 2;
  /** Absolute ceiling on payload size in the encoding; nodes configure a lower limit. */
  public static final int MAX_PAYLOAD_BYTES = 1 << 20;
  public static final int OVERHEAD_BYTES = 1 + 8 + 8 + PublicKey.LENGTH + 8 + 8 + 4 + Ed25519.SIGNATURE_LENGTH;
  public static final int MAX_ENCODED_BYTES = OVERHEAD_BYTES + Hash.LENGTH + MAX_PAYLOAD_BYTES;

  private final long chainId;
  private final Hash bundleKey;
  private final Namespace namespace;
  private final PublicKey sender;
  private final long nonce;
  private final long fee;
  private final byte[] payload;
  private final byte[] signature;
  private final Hash id;

  private Transaction(long chainId, Hash bundleKey, Namespace namespace, PublicKey sender, long nonce, long fee,
      byte[] payload, byte[] signature) {
    if (nonce < 0 || fee < 0) {
      throw new IllegalArgumentException("nonce and fee must not be negative");
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
    }
    this.chainId = chainId;
    this.bundleKey = bundleKey;
    this.namespace = Objects.requireNonNull(namespace);
    this.sender = Objects.requireNonNull(sender);
    this.nonce = nonce;
    this.fee = fee;
    this.payload = payload;
    this.signature = signature;
    this.id = Hashing.hash(Hashing.Domain.TX_SIGNING, body());
  }

  /** Builds and signs a transaction. */
  public static Transaction sign(long chainId, Namespace namespace, long nonce, long fee, byte[] payload,
      KeyPair key) {
    return sign(chainId, null, namespace, nonce, fee, payload, key);
  }

  /** Builds and signs a bundle leg, valid only inside the bundle with {@code bundleKey}. */
  public static Transaction signBundleLeg(long chainId, Hash bundleKey, Namespace namespace, long nonce, long fee,
      byte[] payload, KeyPair key) {
    return sign(chainId, Objects.requireNonNull(bundleKey, "bundleKey"), namespace, nonce, fee, payload, key);
  }

  private static Transaction sign(long chainId, Hash bundleKey, Namespace namespace, long nonce, long fee,
      byte[] payload, KeyPair key) {
    Transaction unsigned = new Transaction(chainId, bundleKey, namespace, key.publicKey(), nonce, fee,
        payload.clone(), new byte[Ed25519.SIGNATURE_LENGTH]);
    byte[] signature = key.sign(unsigned.id.toBytes());
    return new Transaction(chainId, bundleKey, namespace, key.publicKey(), nonce, fee, unsigned.payload, signature);
  }

  /** Decodes the canonical encoding; does not check the signature (see {@link #hasValidSignature()}). */
  public static Transaction decode(byte[] encoded) {
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new DecodingException("transaction of " + encoded.length + " bytes exceeds " + MAX_ENCODED_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    Transaction tx = read(reader);
    reader.end();
    return tx;
  }

  /** Reads one transaction from a larger structure. */
  public static Transaction read(CanonicalReader reader) {
    int version = reader.u8("transaction version");
    if (version != VERSION && version != VERSION_BUNDLE_LEG) {
      throw new DecodingException("unsupported transaction version " + version);
    }
    long chainId = reader.u64("chain id");
    Hash bundleKey = version == VERSION_BUNDLE_LEG ? reader.hash("bundle key") : null;
    Namespace namespace = new Namespace(reader.u64("namespace"));
    PublicKey sender = PublicKey.of(reader.fixed(PublicKey.LENGTH, "sender"));
    long nonce = reader.unsigned63("nonce");
    long fee = reader.unsigned63("fee");
    byte[] payload = reader.bytes(MAX_PAYLOAD_BYTES, "payload");
    byte[] signature = reader.fixed(Ed25519.SIGNATURE_LENGTH, "signature");
    return new Transaction(chainId, bundleKey, namespace, sender, nonce, fee, payload, signature);
  }

  private byte[] body() {
    CanonicalWriter writer = new CanonicalWriter(encodedLength());
    writeBody(writer);
    return writer.toByteArray();
  }

  private void writeBody(CanonicalWriter writer) {
    writer.u8(bundleKey == null ? VERSION : VERSION_BUNDLE_LEG).u64(chainId);
    if (bundleKey != null) {
      writer.hash(bundleKey);
    }
    writer.u64(namespace.id()).fixed(sender.raw()).u64(nonce).u64(fee).bytes(payload);
  }

  public void writeTo(CanonicalWriter writer) {
    writeBody(writer);
    writer.fixed(signature);
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(encodedLength());
    writeTo(writer);
    return writer.toByteArray();
  }

  public boolean hasValidSignature() {
    return sender.verify(id.toBytes(), signature);
  }

  /**
   * Checks many transactions' signatures together by batch verification, about twice as fast a
   * signature for large batches; element i is what {@code transactions.get(i).hasValidSignature()}
   * says (see {@link Ed25519#verifyEach}).
   */
  public static boolean[] haveValidSignatures(List<Transaction> transactions) {
    List<PublicKey> keys = new ArrayList<>(transactions.size());
    List<byte[]> messages = new ArrayList<>(transactions.size());
    List<byte[]> signatures = new ArrayList<>(transactions.size());
    for (Transaction tx : transactions) {
      keys.add(tx.sender);
      messages.add(tx.id.toBytes());
      signatures.add(tx.signature);
    }
    return Ed25519.verifyEach(keys, messages, signatures);
  }

  public Hash id() {
    return id;
  }

  public long chainId() {
    return chainId;
  }

  /** The bundle this transaction is a leg of, if any. */
  public Optional<Hash> bundleKey() {
    return Optional.ofNullable(bundleKey);
  }

  public boolean isBundleLeg() {
    return bundleKey != null;
  }

  public Namespace namespace() {
    return namespace;
  }

  public PublicKey sender() {
    return sender;
  }

  public long nonce() {
    return nonce;
  }

  public long fee() {
    return fee;
  }

  public byte[] payload() {
    return payload.clone();
  }

  public int payloadLength() {
    return payload.length;
  }

  public int encodedLength() {
    return OVERHEAD_BYTES + payload.length + (bundleKey == null ? 0 : Hash.LENGTH);
  }

  public byte[] signature() {
    return signature.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Transaction && id.equals(((Transaction) other).id)
        && Arrays.equals(signature, ((Transaction) other).signature);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Transaction(" + id + ", ns=" + namespace + ", nonce=" + nonce + ", " + payload.length + " bytes)";
  }
}
