package dev.tandem.node.net;

import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.PeerListener;
import dev.tandem.p2p.gossip.ValidationResult;
import dev.tandem.p2p.reqresp.RequestHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the node's protocols (transaction gossip, consensus, block sync) need from the network:
 * topic broadcast and request/response between peers. {@link P2pService} implements it on
 * libp2p; tests of a protocol can implement it in memory.
 *
 * <p>A peer's id derives from its node key ({@code PeerId.fromEd25519PublicKey(nodeKey.bytes())}),
 * so a validator's public key names its peer.
 */
public interface NodeNetwork {
  /** Our own peer id. */
  PeerId localPeer();

  /** Peers with an open connection right now. */
  List<PeerId> connectedPeers();

  /**
   * Sends {@code data} to every peer subscribed to {@code topic} (signed, deduplicated, forwarded by
   * peers that accept it). Completes with the number of peers it was sent to directly; our own
   * handler for the topic is not called.
   */
  CompletableFuture<Integer> broadcast(String topic, byte[] data);

  /**
   * Joins {@code topic}. The handler sees each new message once (not our own), on the network's
   * thread, and must return quickly: ACCEPT delivers and forwards it, IGNORE drops it, REJECT drops
   * it and penalises the peer that sent it (repeat offenders are disconnected).
   */
  void subscribe(String topic, TopicHandler handler);

  /**
   * {@link #subscribe}, and both publishing and receiving on {@code topic} without the libp2p
   * envelope signature (StrictNoSign), for payloads that carry their own signatures: a message is
   * identified by its content, and the handler's {@code publisher} is the peer that forwarded it.
   */
  void subscribeUnsigned(String topic, TopicHandler handler);

  /** Answers requests for {@code protocol}; a failed future is sent back as an error. */
  void registerHandler(String protocol, RequestHandler handler);

  /** Asks a connected peer; fails with {@code ReqRespException} on error, refusal or timeout. */
  CompletableFuture<byte[]> request(PeerId peer, String protocol, byte[] request, Duration timeout);

  /**
   * Sends a one-way message to a connected peer over a long-lived stream for {@code protocol}:
   * messages to a peer arrive in order, with no answer and no per-message negotiation. Best effort;
   * false if it cannot go now (not connected, too large, too many waiting for the stream).
   */
  boolean send(PeerId peer, String protocol, byte[] message);

  /** Receives the one-way messages of {@code protocol}, on the network's thread (hand work off quickly). */
  void registerMessageHandler(String protocol, MessageHandler handler);

  /** Told when a peer connects or its last connection closes. */
  void addPeerListener(PeerListener listener);

  /** Receives one-way messages. */
  @FunctionalInterface
  interface MessageHandler {
    void onMessage(PeerId from, byte[] message);
  }

  /** A topic's message handler; its verdict drives forwarding and peer scoring. */
  @FunctionalInterface
  interface TopicHandler {
    ValidationResult onMessage(PeerId publisher, byte[] data);
  }
}
