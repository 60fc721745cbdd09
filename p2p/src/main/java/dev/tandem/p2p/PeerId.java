package dev.tandem.p2p;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.p2p.proto.KeysProto;
import dev.tandem.p2p.wire.Base58;
import dev.tandem.p2p.wire.Varint;
import dev.tandem.p2p.wire.WireException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p peer ID: the multihash of the protobuf-encoded public key (identity multihash when the
 * encoding is at most 42 bytes, as for Ed25519, else sha2-256). Its string form is base58btc.
 */
public final class PeerId implements Comparable<PeerId> {
  private static final int IDENTITY = 0x00;
  private static final int SHA2_256 = 0x12;
  private static final int MAX_INLINE_KEY = 42;

  private final byte[] bytes;

  private PeerId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The peer ID of an Ed25519 public key (32 bytes). */
  public static PeerId fromEd25519PublicKey(byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("Ed25519 public key must be 32 bytes, got " + publicKey.length);
    }
    return fromPublicKeyProto(Identity.publicKeyProto(publicKey));
  }

  /** The peer ID of a protobuf-encoded libp2p PublicKey. */
  public static PeerId fromPublicKeyProto(byte[] encodedKey) {
    if (encodedKey.length <= MAX_INLINE_KEY) {
      byte[] mh = new byte[2 + encodedKey.length];
      mh[0] = IDENTITY;
      mh[1] = (byte) encodedKey.length;
      System.arraycopy(encodedKey, 0, mh, 2, encodedKey.length);
      return new PeerId(mh);
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encodedKey);
      byte[] mh = new byte[34];
      mh[0] = SHA2_256;
      mh[1] = 32;
      System.arraycopy(digest, 0, mh, 2, 32);
      return new PeerId(mh);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the binary multihash form; throws {@link WireException} if it is not a valid multihash. */
  public static PeerId fromBytes(byte[] multihash) {
    long[] code = Varint.read(multihash, 0);
    long[] len = Varint.read(multihash, (int) code[1]);
    int headerLen = (int) (code[1] + len[1]);
    if (code[0] != IDENTITY && code[0] != SHA2_256) {
      throw new WireException("unsupported peer id multihash code 0x" + Long.toHexString(code[0]));
    }
    if (len[0] != multihash.length - headerLen) {
      throw new WireException("peer id multihash length " + len[0] + " but " + (multihash.length - headerLen) + " bytes follow");
    }
    if (code[0] == SHA2_256 && len[0] != 32) {
      throw new WireException("sha2-256 peer id must hold 32 bytes");
    }
    if (code[0] == IDENTITY && len[0] > MAX_INLINE_KEY) {
      throw new WireException("identity peer id longer than " + MAX_INLINE_KEY + " bytes");
    }
    return new PeerId(multihash.clone());
  }

  /** Parses the base58btc string form ({@code 12D3KooW...} or {@code Qm...}). */
  public static PeerId fromString(String base58) {
    try {
      return fromBytes(Base58.decode(base58));
    } catch (IllegalArgumentException e) {
      throw new WireException("invalid peer id '" + base58 + "': " + e.getMessage(), e);
    }
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The Ed25519 public key inlined in this ID, if it is an identity multihash of one. */
  public Optional<byte[]> ed25519PublicKey() {
    if (bytes[0] != IDENTITY) {
      return Optional.empty();
    }
    try {
      KeysProto.PublicKey key = KeysProto.PublicKey.parseFrom(Arrays.copyOfRange(bytes, 2, bytes.length));
      if (key.getType() != KeysProto.KeyType.Ed25519 || key.getData().size() != 32) {
        return Optional.empty();
      }
      return Optional.of(key.getData().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return Base58.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(PeerId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
