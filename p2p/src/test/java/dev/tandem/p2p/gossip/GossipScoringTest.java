package dev.tandem.p2p.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.PeerListener;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.Limits;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.proto.RpcProto;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.yamux.YamuxStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Misbehaving peers are scored down and disconnected; honest ones keep their connection. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GossipScoringTest {

  private static final class Events implements PeerListener {
    final Set<PeerId> connected = ConcurrentHashMap.newKeySet();
    final Set<PeerId> disconnected = ConcurrentHashMap.newKeySet();

    @Override
    public void onConnected(PeerId peer) {
      connected.add(peer);
    }

    @Override
    public void onDisconnected(PeerId peer) {
      disconnected.add(peer);
    }
  }

  @Test
  void peerPublishingRejectedMessagesIsDisconnectedAndBanned() throws Exception {
    try (Libp2pHost victim = new Libp2pHost(GossipNetworkTest.config());
        Libp2pHost honest = new Libp2pHost(GossipNetworkTest.config());
        Libp2pHost attacker = new Libp2pHost(GossipNetworkTest.config())) {
      Events events = new Events();
      victim.addPeerListener(events);
      Set<String> got = ConcurrentHashMap.newKeySet();
      victim.gossip().registerValidator("txs", m ->
          new String(m.data(), StandardCharsets.UTF_8).startsWith("bad") ? ValidationResult.REJECT : ValidationResult.ACCEPT);
      victim.gossip().subscribe("txs", m -> got.add(new String(m.data(), StandardCharsets.UTF_8)));
      honest.gossip().subscribe("txs", m -> {});
      attacker.gossip().subscribe("txs", m -> {});
      victim.start();
      honest.start();
      attacker.start();
      honest.dial(victim.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      attacker.dial(victim.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() ->
          attacker.gossip().topicPeers("txs").join().contains(victim.peerId())
              && honest.gossip().topicPeers("txs").join().contains(victim.peerId()));

      for (int i = 0; i < 10; i++) {
        attacker.gossip().publish("txs", ("bad " + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> events.disconnected.contains(attacker.peerId()));
      assertThat(got).noneMatch(s -> s.startsWith("bad"));

      honest.gossip().publish("txs", "good".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> got.contains("good"));
      assertThat(victim.connectedPeers()).containsExactly(honest.peerId());

      // the ban holds: a fresh connection from the attacker is dropped again
      events.disconnected.clear();
      attacker.dial(victim.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> events.disconnected.contains(attacker.peerId()));
    }
  }

  @Test
  void forgedSignaturesAndFloodingGetAPeerDisconnected() throws Exception {
    GossipConfig cfg = GossipNetworkTest.config().gossip();
    cfg = new GossipConfig(cfg.d(), cfg.dLo(), cfg.dHi(), cfg.dLazy(), cfg.heartbeatInterval(), cfg.fanoutTtl(),
        cfg.historyLength(), cfg.historyGossip(), cfg.seenTtl(), cfg.pruneBackoff(), cfg.maxRpcBytes(), 20,
        cfg.score(), cfg.messageId());
    try (Libp2pHost victim = new Libp2pHost(GossipNetworkTest.config().withGossip(cfg))) {
      Events events = new Events();
      victim.addPeerListener(events);
      Set<String> got = ConcurrentHashMap.newKeySet();
      victim.gossip().subscribe("txs", m -> got.add(new String(m.data(), StandardCharsets.UTF_8)));
      victim.start();

      // forged: signed by one key, claiming another's peer id
      Identity forger = Identity.generate();
      try (Network raw = new Network(forger, Limits.defaults(), 1)) {
        YamuxStream s = openRawGossip(raw, victim);
        Identity other = Identity.generate();
        for (int i = 0; i < 6; i++) {
          RpcProto.Message m = MessageSigning.sign(forger, unsigned(other.peerId(), i, "forged " + i))
              .toBuilder().setFrom(ByteString.copyFrom(other.peerId().toBytes())).build();
          s.write(LengthPrefixedReader.frame(RpcProto.RPC.newBuilder().addPublish(m).build().toByteArray()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> events.disconnected.contains(forger.peerId()));
      }

      // flooding: correctly signed, but far over 20 messages a second
      Identity flooder = Identity.generate();
      try (Network raw = new Network(flooder, Limits.defaults(), 1)) {
        YamuxStream s = openRawGossip(raw, victim);
        RpcProto.RPC.Builder burst = RpcProto.RPC.newBuilder();
        for (int i = 0; i < 60; i++) {
          burst.addPublish(MessageSigning.sign(flooder, unsigned(flooder.peerId(), i, "flood " + i)));
        }
        s.write(LengthPrefixedReader.frame(burst.build().toByteArray()));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.disconnected.contains(flooder.peerId()));
      }
      assertThat(got).noneMatch(m -> m.startsWith("forged"));
      assertThat(got.size()).isLessThanOrEqualTo(20);
    }
  }

  private static YamuxStream openRawGossip(Network raw, Libp2pHost victim) throws Exception {
    Connection conn = raw.dial(victim.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
    YamuxStream s = conn.openStream(List.of(GossipSub.MESHSUB_V11), (st, data) -> {}).get(20, TimeUnit.SECONDS);
    s.write(LengthPrefixedReader.frame(RpcProto.RPC.newBuilder()
        .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid("txs")).build().toByteArray()));
    return s;
  }

  private static RpcProto.Message unsigned(PeerId from, long seq, String data) {
    return RpcProto.Message.newBuilder()
        .setFrom(ByteString.copyFrom(from.toBytes()))
        .setData(ByteString.copyFromUtf8(data))
        .setSeqno(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(seq).array()))
        .setTopic("txs")
        .build();
  }
}
