package dev.tandem.p2p.reqresp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectMessagesTest {
  private Libp2pHost receiver;
  private Libp2pHost sender;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final List<PeerId> senders = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    sender = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
    receiver.directMessages().registerHandler("votes", (from, message) -> {
      String text = new String(message, StandardCharsets.UTF_8);
      if (text.equals("poison")) {
        throw new IllegalStateException("handler fails: the stream is reset");
      }
      received.add(text);
      senders.add(from);
    });
    receiver.start();
    sender.start();
    sender.dial(receiver.listenAddresses().get(0)).get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    sender.close();
    receiver.close();
  }

  private boolean send(String text) {
    return sender.directMessages().send(receiver.peerId(), "votes", text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void messagesArriveInOrderFromTheirSender() {
    for (int i = 0; i < 500; i++) {
      assertThat(send("vote " + i)).isTrue();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 500);
    for (int i = 0; i < 500; i++) {
      assertThat(received.get(i)).isEqualTo("vote " + i);
    }
    assertThat(senders).containsOnly(sender.peerId());
  }

  @Test
  void refusesWhatCannotGo() {
    assertThat(sender.directMessages().send(Identity.generate().peerId(), "votes", new byte[1])).isFalse();
    assertThat(sender.directMessages().send(receiver.peerId(), "votes", new byte[Libp2pHost.MAX_REQRESP_BYTES + 1]))
        .isFalse();
  }

  @Test
  void aResetStreamIsReplacedByTheNextSend() {
    assertThat(send("before")).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("before"));
    send("poison");
    // Messages sent before the sender learns of the reset are lost (best effort); a later one opens a new stream.
    int[] attempt = new int[1];
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      send("after " + attempt[0]++);
      return received.stream().anyMatch(text -> text.startsWith("after "));
    });
    assertThat(received.get(0)).isEqualTo("before");
  }

  @Test
  void aProtocolThePeerDoesNotServeLosesItsMessagesWithoutHarm() {
    assertThat(sender.directMessages().send(receiver.peerId(), "unknown", new byte[] {1})).isTrue();
    assertThat(send("still works")).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("still works"));
  }
}
