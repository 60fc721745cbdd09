package dev.tandem.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.p2p.wire.WireException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PeerIdAndMultiaddrTest {
  // Computed by js-libp2p (@libp2p/crypto generateKeyPairFromSeed, @multiformats/multiaddr) for seed 00..1f.
  private static final String JS_PEER_ID = "12D3KooWA4Xop1JaT3MHxwYMkCepYsv4iPVopMXwCz5iHYdBfeSB";
  private static final String JS_PEER_ID_HEX =
      "00240801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
  private static final String JS_MULTIADDR_HEX =
      "047f000001060fa1a5032600240801122003a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

  private static Identity seeded() {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) i;
    }
    return Identity.fromSeed(seed);
  }

  @Test
  void peerIdMatchesJsLibp2p() {
    PeerId id = seeded().peerId();
    assertThat(id.toString()).isEqualTo(JS_PEER_ID);
    assertThat(HexFormat.of().formatHex(id.toBytes())).isEqualTo(JS_PEER_ID_HEX);
    assertThat(PeerId.fromString(JS_PEER_ID)).isEqualTo(id);
    assertThat(id.ed25519PublicKey()).hasValueSatisfying(k -> assertThat(k).isEqualTo(seeded().publicKey()));
  }

  @Test
  void multiaddrTextAndBinaryMatchJsLibp2p() {
    Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + JS_PEER_ID);
    assertThat(HexFormat.of().formatHex(m.toBytes())).isEqualTo(JS_MULTIADDR_HEX);
    Multiaddr back = Multiaddr.fromBytes(HexFormat.of().parseHex(JS_MULTIADDR_HEX));
    assertThat(back).isEqualTo(m);
    assertThat(back.toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001/p2p/" + JS_PEER_ID);
    assertThat(back.peerId()).contains(PeerId.fromString(JS_PEER_ID));
    assertThat(back.tcpAddress().getPort()).isEqualTo(4001);
    assertThat(back.withoutPeerId().toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
    assertThat(Multiaddr.parse("/ip6/::1/tcp/1/ws").toString()).isEqualTo("/ip6/0:0:0:0:0:0:0:1/tcp/1/ws");
  }

  @Test
  void signaturesVerifyOnlyForTheSigner() {
    Identity a = Identity.generate();
    byte[] sig = a.sign("msg".getBytes());
    assertThat(Identity.verify(a.publicKey(), "msg".getBytes(), sig)).isTrue();
    assertThat(Identity.verify(a.publicKey(), "msh".getBytes(), sig)).isFalse();
    assertThat(Identity.verify(Identity.generate().publicKey(), "msg".getBytes(), sig)).isFalse();
    assertThat(Identity.verify(a.publicKey(), "msg".getBytes(), new byte[3])).isFalse();
  }

  @Test
  void badPeerIdsAreRejected() {
    assertThatThrownBy(() -> PeerId.fromString("0OIl")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x00, 0x30, 1, 2})).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x12, 0x20, 1})).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x55, 0x01, 1})).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {(byte) 0x80})).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[0])).isInstanceOf(WireException.class);
  }

  @Test
  void badMultiaddrsAreRejected() {
    assertThatThrownBy(() -> Multiaddr.parse("ip4/1.2.3.4")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.4/tcp")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/1.2.3.4/tcp/70000")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/example.com/tcp/1")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/ip4/::1/tcp/1")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/foo/1")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> Multiaddr.parse("/")).isInstanceOf(WireException.class);
    byte[] good = HexFormat.of().parseHex(JS_MULTIADDR_HEX);
    for (int cut = 1; cut < good.length; cut++) {
      if (cut == 5 || cut == 8) {
        continue; // whole /ip4 and /ip4/tcp prefixes are valid on their own
      }
      byte[] truncated = java.util.Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> Multiaddr.fromBytes(truncated)).isInstanceOf(WireException.class);
    }
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[] {(byte) 0xff, 0x7f})).isInstanceOf(WireException.class);
  }
}
