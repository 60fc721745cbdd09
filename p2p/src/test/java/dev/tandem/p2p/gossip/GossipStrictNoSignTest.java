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
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A StrictNoSign topic: envelopes carry no signature, content identifies a message, signed ones are refused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GossipStrictNoSignTest {
  private static final String TOPIC = "self-signed-payloads";

  private record Delivery(String data, PeerId from, int seqnoLength) {}

  @Test
  void unsignedMessagesAreDeliveredOnceByContentAndSignedOnesGetThePeerDisconnected() throws Exception {
    try (Libp2pHost receiver = new Libp2pHost(GossipNetworkTest.config());
        Libp2pHost publisher = new Libp2pHost(GossipNetworkTest.config())) {
      List<Delivery> got = new CopyOnWriteArrayList<>();
      receiver.gossip().useStrictNoSign(TOPIC);
      receiver.gossip().subscribe(TOPIC, m ->
          got.add(new Delivery(new String(m.data(), StandardCharsets.UTF_8), m.from(), m.seqno().length)));
      publisher.gossip().useStrictNoSign(TOPIC);
      publisher.gossip().subscribe(TOPIC, m -> { });
      Set<PeerId> disconnected = ConcurrentHashMap.newKeySet();
      receiver.addPeerListener(new PeerListener() {
        @Override
        public void onConnected(PeerId peer) {}

        @Override
        public void onDisconnected(PeerId peer) {
          disconnected.add(peer);
        }
      });
      receiver.start();
      publisher.start();
      publisher.dial(receiver.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20))
          .until(() -> publisher.gossip().topicPeers(TOPIC).get().contains(receiver.peerId()));

      // Equal payloads are one message; the delivered "from" is the neighbour, there is no seqno.
      publisher.gossip().publish(TOPIC, "batch 1".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      publisher.gossip().publish(TOPIC, "batch 1".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      publisher.gossip().publish(TOPIC, "batch 2".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> got.size() >= 2);
      Thread.sleep(300);
      assertThat(got).containsExactly(new Delivery("batch 1", publisher.peerId(), 0),
          new Delivery("batch 2", publisher.peerId(), 0));

      // A peer that signs its envelopes on this topic breaks the policy: refused, scored down, dropped.
      Identity signer = Identity.generate();
      try (Network raw = new Network(signer, Limits.defaults(), 1)) {
        YamuxStream stream = openRawGossip(raw, receiver);
        stream.write(frame(RpcProto.Message.newBuilder().setTopic(TOPIC)
            .setData(ByteString.copyFromUtf8("unsigned from raw")).build()));
        await().atMost(Duration.ofSeconds(20)).until(() -> got.stream().anyMatch(d -> d.data().equals("unsigned from raw")));
        for (int i = 0; i < 6; i++) {
          RpcProto.Message unsigned = RpcProto.Message.newBuilder().setTopic(TOPIC)
              .setFrom(ByteString.copyFrom(signer.peerId().toBytes()))
              .setSeqno(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(i).array()))
              .setData(ByteString.copyFromUtf8("signed " + i)).build();
          stream.write(frame(MessageSigning.sign(signer, unsigned)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> disconnected.contains(signer.peerId()));
      }
      assertThat(got).noneMatch(d -> d.data().startsWith("signed "));
      assertThat(disconnected).doesNotContain(publisher.peerId());
    }
  }

  private static ByteBuf frame(RpcProto.Message message) {
    return LengthPrefixedReader.frame(RpcProto.RPC.newBuilder().addPublish(message).build().toByteArray());
  }

  private static YamuxStream openRawGossip(Network raw, Libp2pHost victim) throws Exception {
    Connection conn = raw.dial(victim.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
    YamuxStream s = conn.openStream(List.of(GossipSub.MESHSUB_V11), (st, data) -> {}).get(20, TimeUnit.SECONDS);
    s.write(LengthPrefixedReader.frame(RpcProto.RPC.newBuilder()
        .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopicid(TOPIC)).build().toByteArray()));
    return s;
  }
}
