package dev.tandem.p2p;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.p2p.proto.KeysProto;
import dev.tandem.p2p.wire.WireException;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** A node's Ed25519 identity key pair; its public key determines the {@link PeerId}. */
public final class Identity {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Ed25519PrivateKeyParameters privateKey;
  private final byte[] publicKey;
  private final PeerId peerId;

  private Identity(Ed25519PrivateKeyParameters privateKey) {
    this.privateKey = privateKey;
    this.publicKey = privateKey.generatePublicKey().getEncoded();
    this.peerId = PeerId.fromEd25519PublicKey(publicKey);
  }

  public static Identity generate() {
    return new Identity(new Ed25519PrivateKeyParameters(RANDOM));
  }

  /** An identity from its 32-byte Ed25519 seed (the private key as RFC 8032 defines it). */
  public static Identity fromSeed(byte[] seed) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return new Identity(new Ed25519PrivateKeyParameters(seed, 0));
  }

  public byte[] seed() {
    return privateKey.getEncoded();
  }

  public byte[] publicKey() {
    return publicKey.clone();
  }

  public PeerId peerId() {
    return peerId;
  }

  public byte[] sign(byte[] message) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    privateKey.sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, sig, 0);
    return sig;
  }

  /** The protobuf-encoded libp2p PublicKey of this identity. */
  public byte[] publicKeyProto() {
    return publicKeyProto(publicKey);
  }

  public static boolean verify(byte[] ed25519PublicKey, byte[] message, byte[] signature) {
    if (ed25519PublicKey.length != 32 || signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    try {
      return new Ed25519PublicKeyParameters(ed25519PublicKey, 0)
          .verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static byte[] publicKeyProto(byte[] ed25519PublicKey) {
    return KeysProto.PublicKey.newBuilder()
        .setType(KeysProto.KeyType.Ed25519)
        .setData(ByteString.copyFrom(ed25519PublicKey))
        .build()
        .toByteArray();
  }

  /** Extracts the Ed25519 key from a protobuf-encoded libp2p PublicKey; other key types are refused. */
  public static byte[] ed25519FromProto(byte[] encoded) {
    KeysProto.PublicKey key;
    try {
      key = KeysProto.PublicKey.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException("malformed libp2p public key: " + e.getMessage(), e);
    }
    if (key.getType() != KeysProto.KeyType.Ed25519) {
      throw new WireException("unsupported identity key type " + key.getType());
    }
    if (key.getData().size() != 32) {
      throw new WireException("Ed25519 public key must be 32 bytes, got " + key.getData().size());
    }
    return key.getData().toByteArray();
  }
}
