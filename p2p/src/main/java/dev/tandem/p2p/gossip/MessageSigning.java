package dev.tandem.p2p.gossip;

import com.google.protobuf.ByteString;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.proto.RpcProto;
import dev.tandem.p2p.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The pubsub StrictSign policy: every message carries from, seqno and a signature by from's key. */
final class MessageSigning {
  private static final byte[] PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

  private MessageSigning() {}

  static RpcProto.Message sign(Identity identity, RpcProto.Message unsigned) {
    byte[] sig = identity.sign(signedBytes(unsigned));
    return unsigned.toBuilder().setSignature(ByteString.copyFrom(sig)).build();
  }

  /** Checks the signature; returns the verified publisher or throws {@link WireException}. */
  static PeerId verify(RpcProto.Message m) {
    if (!m.hasFrom() || !m.hasSeqno() || !m.hasSignature() || !m.hasTopic()) {
      throw new WireException("unsigned or incomplete message (StrictSign)");
    }
    PeerId from = PeerId.fromBytes(m.getFrom().toByteArray());
    byte[] key;
    if (m.hasKey()) {
      byte[] keyProto = m.getKey().toByteArray();
      key = Identity.ed25519FromProto(keyProto);
      if (!PeerId.fromPublicKeyProto(keyProto).equals(from)) {
        throw new WireException("message key does not match its from peer");
      }
    } else {
      key = from.ed25519PublicKey().orElseThrow(() -> new WireException("no public key for message signer " + from));
    }
    byte[] unsigned = signedBytes(m.toBuilder().clearSignature().clearKey().build());
    if (!Identity.verify(key, unsigned, m.getSignature().toByteArray())) {
      throw new WireException("message signature does not verify");
    }
    return from;
  }

  private static byte[] signedBytes(RpcProto.Message unsigned) {
    byte[] body = unsigned.toByteArray();
    byte[] out = Arrays.copyOf(PREFIX, PREFIX.length + body.length);
    System.arraycopy(body, 0, out, PREFIX.length, body.length);
    return out;
  }
}
