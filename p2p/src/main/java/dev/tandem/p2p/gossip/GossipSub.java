package dev.tandem.p2p.gossip;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.ConnectionListener;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.proto.RpcProto;
import dev.tandem.p2p.proto.RpcProto.ControlMessage;
import dev.tandem.p2p.proto.RpcProto.RPC;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gossipsub v1.2 router ({@code /meshsub/1.2.0}, also {@code /meshsub/1.1.0} and
 * {@code /meshsub/1.0.0}): mesh with GRAFT/PRUNE and backoff, fanout, IHAVE/IWANT gossip,
 * IDONTWANT, a seen-cache, StrictSign signatures (or StrictNoSign on topics whose payloads sign
 * themselves), per-topic validators, and peer scoring that disconnects misbehaving peers. All router
 * state lives on one thread; subscription handlers and validators run on it and must not block.
 *
 * <p>IDONTWANT (v1.2): on the first copy of a message of at least {@link #IDONTWANT_MIN_BYTES}, a
 * node tells its other peers on v1.2 before it validates the message, and does not forward a
 * message to a peer that told it so. A validator takes long next to a hop on the wire (a batch of
 * signatures), so in a densely connected mesh most copies a node would have been sent again are not
 * sent at all. Both halves run on the network thread that reads the RPC, not on the router thread,
 * where a backlog of messages waiting for validation would hold them until the copies they should
 * spare had been sent: a peer's IDONTWANTs are recorded as they are read, and on a StrictNoSign topic
 * (ids are content hashes, so an id names exactly the bytes that arrived) ours go out as soon as the
 * message is read. On a signed topic they wait for the publisher's signature (an unverified id could
 * silence the real message). Either way they go to the v1.2 peers of the topic's mesh only, so a
 * flood of junk costs us at most D_hi small messages for each message of 512 bytes or more.
 */
public final class GossipSub implements ConnectionListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GossipSub.class);
  public static final String MESHSUB_V12 = "/meshsub/1.2.0";
  public static final String MESHSUB_V11 = "/meshsub/1.1.0";
  public static final String MESHSUB_V10 = "/meshsub/1.0.0";
  private static final int MAX_IHAVE_IDS = 5000;
  private static final int MAX_IWANT_IDS = 500;
  /** Smaller messages cost less to send again than the IDONTWANTs that would spare them. */
  static final int IDONTWANT_MIN_BYTES = 512;
  /** IDONTWANT ids kept from one peer per heartbeat; more are ignored (bounds a peer's memory). */
  static final int IDONTWANT_MAX_PER_HEARTBEAT = 512;

  private final Identity identity;
  private final PeerId self;
  private final Network network;
  private final GossipConfig config;
  private final ScheduledExecutorService exec;

  /** Written by the router thread only; network threads read it to send IDONTWANTs. */
  private final Map<PeerId, PeerState> peers = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<GossipMessage>>> subscriptions = new HashMap<>();
  private final Map<String, Function<GossipMessage, ValidationResult>> validators = new HashMap<>();
  /** Topics under StrictNoSign: messages carry only topic and data, and are identified by their content. */
  private final Set<String> unsignedTopics = ConcurrentHashMap.newKeySet();
  /** Written by the router thread only (sets too); network threads read it to send IDONTWANTs. */
  private final Map<String, Set<PeerId>> mesh = new ConcurrentHashMap<>();
  private final Map<String, Set<PeerId>> fanout = new HashMap<>();
  private final Map<String, Long> fanoutLastPublish = new HashMap<>();
  private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
  private final LinkedHashMap<ByteString, Long> seen = new LinkedHashMap<>();
  private final Map<PeerId, Long> banned = new HashMap<>();
  private final MessageCache cache;
  private final List<Consumer<PeerId>> scoreDisconnectListeners = new CopyOnWriteArrayList<>();
  /** Message ids each peer does not want (IDONTWANT); written by network threads, read by the router. */
  private final Map<PeerId, DontWant> dontWant = new ConcurrentHashMap<>();
  /** Copies of messages already seen, IDONTWANT ids kept, and forwards they spared (metrics, tests). */
  private final AtomicLong duplicatesReceived = new AtomicLong();
  private final AtomicLong dontWantsReceived = new AtomicLong();
  private final AtomicLong forwardsSpared = new AtomicLong();
  /** Heartbeats so far: an IDONTWANT is kept for {@link GossipConfig#historyLength} of them. */
  private volatile long heartbeats;
  /** Ids we sent IDONTWANT for from a network thread (once per id), by heartbeat; kept two heartbeats. */
  private final Map<ByteString, Long> dontWantSent = new ConcurrentHashMap<>();
  private long seqno;

  /** One peer's IDONTWANT ids, by the heartbeat they came in. */
  private static final class DontWant {
    final Map<ByteString, Long> ids = new ConcurrentHashMap<>();
    final AtomicInteger thisHeartbeat = new AtomicInteger();
  }

  /** Per-neighbour router state. */
  private static final class PeerState {
    final Connection connection;
    final Set<String> topics = new HashSet<>();
    final List<RPC> queued = new ArrayList<>();
    volatile YamuxStream outbound;
    boolean opening;
    int openAttempts;
    double invalid;
    double flood;
    double behaviour;
    long windowStart;
    int windowCount;
    RPC.Builder pendingControl;

    PeerState(Connection connection) {
      this.connection = connection;
    }
  }

  public GossipSub(Identity identity, Network network, GossipConfig config) {
    this.identity = identity;
    this.self = identity.peerId();
    this.network = network;
    this.config = config;
    this.cache = new MessageCache(config.historyLength(), config.historyGossip());
    this.seqno = System.currentTimeMillis() * 1000;
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gossipsub-" + self.toString().substring(Math.max(0, self.toString().length() - 6)));
      t.setDaemon(true);
      return t;
    });
    network.registerProtocol(MESHSUB_V12, this::acceptStream);
    network.registerProtocol(MESHSUB_V11, this::acceptStream);
    network.registerProtocol(MESHSUB_V10, this::acceptStream);
    network.addListener(this);
    long period = config.heartbeatInterval().toMillis();
    exec.scheduleAtFixedRate(this::heartbeatSafely, period, period, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- public API

  /** Subscribes to {@code topic}; {@code handler} gets each new valid message (not our own). */
  public void subscribe(String topic, Consumer<GossipMessage> handler) {
    exec.execute(() -> {
      boolean first = !subscriptions.containsKey(topic);
      subscriptions.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(handler);
      if (first) {
        RPC sub = RPC.newBuilder().addSubscriptions(subOpts(topic, true)).build();
        peers.keySet().forEach(p -> send(p, sub));
        joinMesh(topic);
      }
    });
  }

  /** Leaves {@code topic}: its handlers are dropped and mesh peers pruned. */
  public void unsubscribe(String topic) {
    exec.execute(() -> {
      if (subscriptions.remove(topic) == null) {
        return;
      }
      RPC unsub = RPC.newBuilder().addSubscriptions(subOpts(topic, false)).build();
      peers.keySet().forEach(p -> send(p, unsub));
      Set<PeerId> m = mesh.remove(topic);
      if (m != null) {
        for (PeerId p : m) {
          addBackoff(topic, p, config.pruneBackoff().toMillis());
          controlOf(p).addPrune(prune(topic));
        }
        flushControl();
      }
    });
  }

  /**
   * Registers the validator of {@code topic}; it runs before a received message is delivered or
   * forwarded. REJECT penalises the forwarding peer.
   */
  public void registerValidator(String topic, Function<GossipMessage, ValidationResult> validator) {
    exec.execute(() -> validators.put(topic, validator));
  }

  /**
   * Puts {@code topic} under the StrictNoSign policy, for payloads that carry their own signatures:
   * our messages go without from, seqno, signature and key, received ones that have any of them are
   * rejected, and a message's id is a hash of its topic and data
   * ({@link GossipMessage#contentId}), so the envelope costs no signature to make or check. A
   * delivered message's {@code from} is then the peer that forwarded it. Every peer on the topic
   * must use the same policy; call before publishing or subscribing.
   */
  public void useStrictNoSign(String topic) {
    exec.execute(() -> unsignedTopics.add(topic));
  }

  /**
   * Signs and publishes {@code data} on {@code topic} to every peer subscribed to it (flood
   * publish). Completes with the number of peers it was sent to.
   */
  public CompletableFuture<Integer> publish(String topic, byte[] data) {
    return CompletableFuture.supplyAsync(() -> publishNow(topic, data.clone()), exec);
  }

  /** Peers we know to be subscribed to {@code topic}. */
  public CompletableFuture<Set<PeerId>> topicPeers(String topic) {
    return CompletableFuture.supplyAsync(() -> peers.entrySet().stream()
        .filter(e -> e.getValue().topics.contains(topic))
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet()), exec);
  }

  /** Our mesh peers on {@code topic}. */
  public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
    return CompletableFuture.supplyAsync(() -> Set.copyOf(mesh.getOrDefault(topic, Set.of())), exec);
  }

  /** The current score of {@code peer} (0 for unknown peers). */
  public CompletableFuture<Double> score(PeerId peer) {
    return CompletableFuture.supplyAsync(() -> {
      PeerState s = peers.get(peer);
      return s == null ? 0.0 : score(s);
    }, exec);
  }

  /** Copies of already seen messages received so far (each one a message sent for nothing). */
  public long duplicatesReceived() {
    return duplicatesReceived.get();
  }

  /** IDONTWANT message ids received and kept. */
  public long dontWantsReceived() {
    return dontWantsReceived.get();
  }

  /** Forwards not sent because the peer had said IDONTWANT. */
  public long forwardsSpared() {
    return forwardsSpared.get();
  }

  /** Called with each peer disconnected for a low score. */
  public void addScoreDisconnectListener(Consumer<PeerId> listener) {
    scoreDisconnectListeners.add(listener);
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }

  /** Runs {@code task} on the router thread; dropped once the router is closed. */
  private void post(Runnable task) {
    try {
      exec.execute(task);
    } catch (RejectedExecutionException e) {
      LOG.trace("router closed; dropping a task");
    }
  }

  // ---------------------------------------------------------------- connections and streams

  @Override
  public void onConnected(Connection connection) {
    post(() -> {
      PeerId p = connection.remotePeer();
      Long until = banned.get(p);
      if (until != null && until > System.currentTimeMillis()) {
        network.disconnect(p, "peer is banned for a low gossip score");
        return;
      }
      banned.remove(p);
      PeerState s = new PeerState(connection);
      peers.put(p, s);
      openOutbound(p, s);
    });
  }

  @Override
  public void onDisconnected(PeerId peer) {
    post(() -> {
      PeerState s = peers.remove(peer);
      if (s == null) {
        return;
      }
      mesh.values().forEach(m -> m.remove(peer));
      fanout.values().forEach(m -> m.remove(peer));
      dontWant.remove(peer);
    });
  }

  private void openOutbound(PeerId p, PeerState s) {
    s.opening = true;
    s.openAttempts++;
    s.connection.openStream(List.of(MESHSUB_V12, MESHSUB_V11, MESHSUB_V10), new StreamHandler() {
      @Override
      public void onData(YamuxStream stream, ByteBuf data) {
        // gossipsub reads on the peer's stream; this one is write-only
      }

      @Override
      public void onReset(YamuxStream stream) {
        post(() -> {
          if (peers.get(p) == s && s.outbound == stream) {
            s.outbound = null;
          }
        });
      }
    }).whenCompleteAsync((stream, e) -> {
      s.opening = false;
      if (peers.get(p) != s) {
        if (stream != null) {
          stream.reset();
        }
        return;
      }
      if (e != null) {
        LOG.debug("{}: no gossipsub stream to {}: {}", self, p, e.toString());
        return;
      }
      s.outbound = stream;
      RPC.Builder hello = RPC.newBuilder();
      subscriptions.keySet().forEach(t -> hello.addSubscriptions(subOpts(t, true)));
      write(s, hello.build());
      s.queued.forEach(r -> write(s, r));
      s.queued.clear();
    }, exec);
  }

  private StreamHandler acceptStream(Connection conn, YamuxStream stream) {
    PeerId p = conn.remotePeer();
    LengthPrefixedReader reader = new LengthPrefixedReader(config.maxRpcBytes());
    return new StreamHandler() {
      @Override
      public void onData(YamuxStream s, ByteBuf data) {
        try {
          reader.onData(data, bytes -> {
            RPC rpc;
            try {
              rpc = RPC.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
              throw new WireException("malformed gossipsub RPC", e);
            }
            if (rpc.hasControl() && rpc.getControl().getIdontwantCount() > 0) {
              recordDontWant(p, rpc.getControl().getIdontwantList());
            }
            List<ByteString> contentIds = contentIdsAndDontWant(p, rpc);
            post(() -> handleRpc(p, rpc, contentIds));
          });
        } catch (WireException e) {
          post(() -> penalise(p, "bad RPC framing: " + e.getMessage(), 1, 0, 0));
          throw e;
        }
      }
    };
  }

  // ---------------------------------------------------------------- RPC handling (router thread)

  /**
   * On a network thread: the ids of the RPC's messages on StrictNoSign topics (null for others), and
   * for each large one seen here for the first time, IDONTWANT to the other v1.2 peers in its mesh.
   */
  private List<ByteString> contentIdsAndDontWant(PeerId from, RPC rpc) {
    List<ByteString> ids = new ArrayList<>(rpc.getPublishCount());
    for (RpcProto.Message m : rpc.getPublishList()) {
      if (!unsignedTopics.contains(m.getTopic())) {
        ids.add(null);
        continue;
      }
      ByteString id = ByteString.copyFrom(GossipMessage.contentId(m.getTopic(), m.getData().asReadOnlyByteBuffer()));
      ids.add(id);
      if (m.getData().size() >= IDONTWANT_MIN_BYTES && dontWantSent.putIfAbsent(id, heartbeats) == null) {
        byte[] dontWant = dontWant(id).toByteArray();
        for (PeerId p : mesh.getOrDefault(m.getTopic(), Set.of())) {
          PeerState s = peers.get(p);
          YamuxStream out = s == null ? null : s.outbound;
          if (!p.equals(from) && out != null && MESHSUB_V12.equals(out.protocol())) {
            out.write(LengthPrefixedReader.frame(dontWant));
          }
        }
      }
    }
    return ids;
  }

  private static RPC dontWant(ByteString id) {
    return RPC.newBuilder().setControl(ControlMessage.newBuilder()
        .addIdontwant(RpcProto.ControlIDontWant.newBuilder().addMessageIDs(id))).build();
  }

  private void handleRpc(PeerId from, RPC rpc, List<ByteString> contentIds) {
    PeerState s = peers.get(from);
    if (s == null) {
      return;
    }
    try {
      for (RPC.SubOpts sub : rpc.getSubscriptionsList()) {
        onSubscription(from, s, sub);
      }
      for (int i = 0; i < rpc.getPublishCount(); i++) {
        onMessage(from, s, rpc.getPublish(i), contentIds.get(i));
        if (!peers.containsKey(from)) {
          return; // disconnected for its score
        }
      }
      if (rpc.hasControl()) {
        onControl(from, s, rpc.getControl());
      }
      flushControl();
    } catch (RuntimeException e) {
      LOG.warn("{}: failed handling RPC from {}", self, from, e);
    }
  }

  private void onSubscription(PeerId from, PeerState s, RPC.SubOpts sub) {
    if (!sub.hasTopicid()) {
      return;
    }
    String topic = sub.getTopicid();
    if (sub.getSubscribe()) {
      if (s.topics.size() < 1000) {
        s.topics.add(topic);
      }
    } else {
      s.topics.remove(topic);
      Set<PeerId> m = mesh.get(topic);
      if (m != null) {
        m.remove(from);
      }
      Set<PeerId> f = fanout.get(topic);
      if (f != null) {
        f.remove(from);
      }
    }
  }

  /** {@code contentId}: the message's id if its topic is StrictNoSign (computed as it was read), else null. */
  private void onMessage(PeerId from, PeerState s, RpcProto.Message m, ByteString contentId) {
    long now = System.currentTimeMillis();
    if (now - s.windowStart >= 1000) {
      s.windowStart = now;
      s.windowCount = 0;
    }
    if (++s.windowCount > config.maxMessagesPerPeerPerSecond()) {
      penalise(from, "over " + config.maxMessagesPerPeerPerSecond() + " messages per second", 0, 1, 0);
      return;
    }
    GossipMessage msg;
    ByteString id;
    boolean signed = contentId == null;
    if (!signed) {
      if (m.hasFrom() || m.hasSeqno() || m.hasSignature() || m.hasKey()) {
        penalise(from, "a signed message on StrictNoSign topic " + m.getTopic(), 1, 0, 0);
        return;
      }
      msg = new GossipMessage(m.getTopic(), m.getData().toByteArray(), from, new byte[0], from);
      id = contentId;
    } else {
      if (alreadySeen(m, from)) {
        duplicatesReceived.incrementAndGet();
        return; // a copy of a message that was verified and accepted: skip the signature check
      }
      PeerId publisher;
      try {
        publisher = MessageSigning.verify(m);
      } catch (WireException e) {
        penalise(from, "invalid message: " + e.getMessage(), 1, 0, 0);
        return;
      }
      msg = new GossipMessage(m.getTopic(), m.getData().toByteArray(), publisher, m.getSeqno().toByteArray(), from);
      id = ByteString.copyFrom(config.messageId().apply(msg));
    }
    if (seen.containsKey(id)) {
      duplicatesReceived.incrementAndGet();
      return;
    }
    seen.put(id, now);
    List<Consumer<GossipMessage>> handlers = subscriptions.get(m.getTopic());
    if (handlers == null || msg.from().equals(self)) {
      return;
    }
    if (signed && m.getData().size() >= IDONTWANT_MIN_BYTES) {
      sendDontWant(m.getTopic(), id, from);
    }
    ValidationResult verdict = validate(msg);
    if (verdict == ValidationResult.REJECT) {
      penalise(from, "message rejected by the " + m.getTopic() + " validator", 1, 0, 0);
      return;
    }
    if (verdict == ValidationResult.IGNORE) {
      return;
    }
    cache.put(id, m);
    for (Consumer<GossipMessage> h : handlers) {
      try {
        h.accept(msg);
      } catch (RuntimeException e) {
        LOG.warn("{}: subscription handler for {} failed", self, m.getTopic(), e);
      }
    }
    RPC fwd = RPC.newBuilder().addPublish(m).build();
    for (PeerId p : mesh.getOrDefault(m.getTopic(), Set.of())) {
      if (p.equals(from) || p.equals(msg.from())) {
        continue;
      }
      if (doesNotWant(p, id)) {
        forwardsSpared.incrementAndGet();
      } else {
        send(p, fwd);
      }
    }
  }

  /**
   * Tells the mesh peers on {@code topic} that speak v1.2, but not the one it came from, that
   * signed message {@code id} has arrived: at once, not with the control messages that wait for the
   * end of this RPC (after the validation, when they would come too late).
   */
  private void sendDontWant(String topic, ByteString id, PeerId from) {
    RPC rpc = null;
    for (PeerId p : mesh.getOrDefault(topic, Set.of())) {
      PeerState s = peers.get(p);
      if (p.equals(from) || s == null || s.outbound == null || !MESHSUB_V12.equals(s.outbound.protocol())) {
        continue;
      }
      if (rpc == null) {
        rpc = dontWant(id);
      }
      write(s, rpc);
    }
  }

  /** On a network thread: keeps a peer's IDONTWANT ids, up to the per-heartbeat bound. */
  private void recordDontWant(PeerId p, List<RpcProto.ControlIDontWant> messages) {
    DontWant record = dontWant.computeIfAbsent(p, k -> new DontWant());
    long now = heartbeats;
    for (RpcProto.ControlIDontWant message : messages) {
      for (ByteString id : message.getMessageIDsList()) {
        if (record.thisHeartbeat.incrementAndGet() > IDONTWANT_MAX_PER_HEARTBEAT) {
          return;
        }
        record.ids.put(id, now);
        dontWantsReceived.incrementAndGet();
      }
    }
  }

  private boolean doesNotWant(PeerId p, ByteString id) {
    DontWant record = dontWant.get(p);
    return record != null && record.ids.containsKey(id);
  }

  /** Forgets IDONTWANTs older than the message history and restarts each peer's per-heartbeat count. */
  private void expireDontWant() {
    long tick = ++heartbeats;
    dontWantSent.values().removeIf(at -> at < tick - 2);
    long oldest = tick - config.historyLength();
    for (Map.Entry<PeerId, DontWant> e : dontWant.entrySet()) {
      if (!peers.containsKey(e.getKey())) {
        dontWant.remove(e.getKey());
        continue;
      }
      e.getValue().ids.values().removeIf(at -> at < oldest);
      e.getValue().thisHeartbeat.set(0);
    }
  }

  /**
   * Whether the message's id, computed from its claimed (unverified) publisher, is in the
   * seen-cache. Only verified messages enter the cache, so a forged copy of a seen id is dropped
   * at no cost, and one with an unseen id still meets the signature check.
   */
  private boolean alreadySeen(RpcProto.Message m, PeerId from) {
    PeerId claimed;
    try {
      claimed = PeerId.fromBytes(m.getFrom().toByteArray());
    } catch (RuntimeException malformed) {
      return false; // the signature check rejects it with a reason
    }
    GossipMessage provisional = new GossipMessage(m.getTopic(), m.getData().toByteArray(), claimed,
        m.getSeqno().toByteArray(), from);
    return seen.containsKey(ByteString.copyFrom(config.messageId().apply(provisional)));
  }

  private ValidationResult validate(GossipMessage msg) {
    Function<GossipMessage, ValidationResult> v = validators.get(msg.topic());
    if (v == null) {
      return ValidationResult.ACCEPT;
    }
    try {
      ValidationResult r = v.apply(msg);
      return r == null ? ValidationResult.IGNORE : r;
    } catch (RuntimeException e) {
      LOG.warn("{}: validator for {} failed; ignoring the message", self, msg.topic(), e);
      return ValidationResult.IGNORE;
    }
  }

  private void onControl(PeerId from, PeerState s, ControlMessage c) {
    boolean nonNegative = score(s) >= 0;
    List<ByteString> want = new ArrayList<>();
    if (nonNegative) {
      for (RpcProto.ControlIHave ihave : c.getIhaveList()) {
        if (!subscriptions.containsKey(ihave.getTopicID())) {
          continue;
        }
        for (ByteString id : ihave.getMessageIDsList()) {
          if (want.size() >= MAX_IHAVE_IDS) {
            break;
          }
          if (!seen.containsKey(id)) {
            want.add(id);
          }
        }
      }
    }
    if (!want.isEmpty()) {
      controlOf(from).addIwant(RpcProto.ControlIWant.newBuilder().addAllMessageIDs(want));
    }
    int served = 0;
    RPC.Builder reply = RPC.newBuilder();
    for (RpcProto.ControlIWant iwant : c.getIwantList()) {
      for (ByteString id : iwant.getMessageIDsList()) {
        if (served >= MAX_IWANT_IDS) {
          break;
        }
        RpcProto.Message m = cache.get(id);
        if (m != null && !doesNotWant(from, id)) {
          reply.addPublish(m);
          served++;
        }
      }
    }
    if (served > 0) {
      send(from, reply.build());
    }
    for (RpcProto.ControlGraft graft : c.getGraftList()) {
      onGraft(from, s, graft.getTopicID());
    }
    for (RpcProto.ControlPrune prune : c.getPruneList()) {
      Set<PeerId> m = mesh.get(prune.getTopicID());
      if (m != null) {
        m.remove(from);
      }
      long backoffMs = prune.hasBackoff() ? Math.min(prune.getBackoff(), 3600) * 1000 : config.pruneBackoff().toMillis();
      addBackoff(prune.getTopicID(), from, backoffMs);
    }
  }

  private void onGraft(PeerId from, PeerState s, String topic) {
    Set<PeerId> m = mesh.get(topic);
    if (m == null) {
      controlOf(from).addPrune(prune(topic));
      return;
    }
    if (m.contains(from)) {
      return;
    }
    if (inBackoff(topic, from)) {
      penalise(from, "GRAFT during backoff", 0, 0, 1);
      controlOf(from).addPrune(prune(topic));
      return;
    }
    if (score(s) < 0) {
      controlOf(from).addPrune(prune(topic));
      return;
    }
    m.add(from);
  }

  // ---------------------------------------------------------------- publishing and mesh

  private int publishNow(String topic, byte[] data) {
    RpcProto.Message m;
    ByteString id;
    if (unsignedTopics.contains(topic)) {
      m = RpcProto.Message.newBuilder().setData(ByteString.copyFrom(data)).setTopic(topic).build();
      id = ByteString.copyFrom(GossipMessage.contentId(topic, data));
    } else {
      byte[] seq = ByteBuffer.allocate(8).putLong(++seqno).array();
      RpcProto.Message unsigned = RpcProto.Message.newBuilder()
          .setFrom(ByteString.copyFrom(self.toBytes()))
          .setData(ByteString.copyFrom(data))
          .setSeqno(ByteString.copyFrom(seq))
          .setTopic(topic)
          .build();
      m = MessageSigning.sign(identity, unsigned);
      id = ByteString.copyFrom(config.messageId().apply(new GossipMessage(topic, data, self, seq, self)));
    }
    seen.put(id, System.currentTimeMillis());
    cache.put(id, m);
    Set<PeerId> targets = new HashSet<>();
    peers.forEach((p, s) -> {
      if (s.topics.contains(topic) && score(s) >= 0) {
        targets.add(p);
      }
    });
    if (!subscriptions.containsKey(topic)) {
      fanoutLastPublish.put(topic, System.currentTimeMillis());
      Set<PeerId> f = fanout.computeIfAbsent(topic, t -> new HashSet<>());
      if (f.isEmpty()) {
        f.addAll(pick(topic, config.d(), Set.of()));
      }
    }
    RPC rpc = RPC.newBuilder().addPublish(m).build();
    targets.forEach(p -> send(p, rpc));
    return targets.size();
  }

  private void joinMesh(String topic) {
    Set<PeerId> m = ConcurrentHashMap.newKeySet();
    Set<PeerId> f = fanout.remove(topic);
    fanoutLastPublish.remove(topic);
    if (f != null) {
      f.stream().filter(peers::containsKey).limit(config.d()).forEach(m::add);
    }
    if (m.size() < config.d()) {
      m.addAll(pick(topic, config.d() - m.size(), m));
    }
    mesh.put(topic, m);
    for (PeerId p : m) {
      controlOf(p).addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(topic));
    }
    flushControl();
  }

  /** Up to {@code n} random peers on {@code topic} not in {@code exclude}, not backing off, score >= 0. */
  private List<PeerId> pick(String topic, int n, Set<PeerId> exclude) {
    List<PeerId> candidates = new ArrayList<>();
    peers.forEach((p, s) -> {
      if (s.topics.contains(topic) && !exclude.contains(p) && !inBackoff(topic, p) && score(s) >= 0) {
        candidates.add(p);
      }
    });
    Collections.shuffle(candidates, ThreadLocalRandom.current());
    return candidates.subList(0, Math.min(n, candidates.size()));
  }

  private void heartbeatSafely() {
    try {
      heartbeat();
    } catch (RuntimeException e) {
      LOG.warn("{}: heartbeat failed", self, e);
    }
  }

  private void heartbeat() {
    long now = System.currentTimeMillis();
    decayScores();
    for (Map.Entry<String, Set<PeerId>> e : mesh.entrySet()) {
      String topic = e.getKey();
      Set<PeerId> m = e.getValue();
      m.removeIf(p -> {
        PeerState s = peers.get(p);
        return s == null || !s.topics.contains(topic) || score(s) < 0;
      });
      if (m.size() < config.dLo()) {
        for (PeerId p : pick(topic, config.d() - m.size(), m)) {
          m.add(p);
          controlOf(p).addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(topic));
        }
      } else if (m.size() > config.dHi()) {
        List<PeerId> list = new ArrayList<>(m);
        Collections.shuffle(list, ThreadLocalRandom.current());
        for (PeerId p : list.subList(config.d(), list.size())) {
          m.remove(p);
          addBackoff(topic, p, config.pruneBackoff().toMillis());
          controlOf(p).addPrune(prune(topic));
        }
      }
    }
    for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Set<PeerId>> e = it.next();
      String topic = e.getKey();
      if (now - fanoutLastPublish.getOrDefault(topic, 0L) > config.fanoutTtl().toMillis()) {
        it.remove();
        fanoutLastPublish.remove(topic);
        continue;
      }
      e.getValue().removeIf(p -> peers.get(p) == null || !peers.get(p).topics.contains(topic));
      if (e.getValue().size() < config.d()) {
        e.getValue().addAll(pick(topic, config.d() - e.getValue().size(), e.getValue()));
      }
    }
    emitGossip();
    cache.shift();
    expireDontWant();
    long seenCutoff = now - config.seenTtl().toMillis();
    for (Iterator<Long> it = seen.values().iterator(); it.hasNext(); ) {
      if (it.next() >= seenCutoff) {
        break;
      }
      it.remove();
    }
    backoff.values().forEach(b -> b.values().removeIf(until -> until < now));
    banned.values().removeIf(until -> until < now);
    peers.forEach((p, s) -> {
      if (s.outbound == null && !s.opening && s.openAttempts < 3 && s.connection.isOpen()) {
        openOutbound(p, s);
      }
    });
    flushControl();
  }

  private void emitGossip() {
    Set<String> topics = new HashSet<>(mesh.keySet());
    topics.addAll(fanout.keySet());
    for (String topic : topics) {
      List<ByteString> ids = cache.gossipIds(topic);
      if (ids.isEmpty()) {
        continue;
      }
      Set<PeerId> exclude = new HashSet<>(mesh.getOrDefault(topic, Set.of()));
      exclude.addAll(fanout.getOrDefault(topic, Set.of()));
      List<PeerId> candidates = new ArrayList<>();
      peers.forEach((p, s) -> {
        if (s.topics.contains(topic) && !exclude.contains(p) && score(s) >= 0) {
          candidates.add(p);
        }
      });
      Collections.shuffle(candidates, ThreadLocalRandom.current());
      int n = Math.max(config.dLazy(), candidates.size() / 4);
      RpcProto.ControlIHave ihave = RpcProto.ControlIHave.newBuilder().setTopicID(topic)
          .addAllMessageIDs(ids.subList(0, Math.min(ids.size(), MAX_IHAVE_IDS))).build();
      for (PeerId p : candidates.subList(0, Math.min(n, candidates.size()))) {
        controlOf(p).addIhave(ihave);
      }
    }
  }

  // ---------------------------------------------------------------- scoring

  private double score(PeerState s) {
    var sp = config.score();
    return sp.invalidMessageWeight() * s.invalid * s.invalid
        + sp.floodWeight() * s.flood * s.flood
        + sp.graftBackoffWeight() * s.behaviour * s.behaviour;
  }

  private void penalise(PeerId p, String reason, int invalid, int flood, int behaviour) {
    PeerState s = peers.get(p);
    if (s == null) {
      return;
    }
    s.invalid += invalid;
    s.flood += flood;
    s.behaviour += behaviour;
    double score = score(s);
    LOG.debug("{}: penalising {} ({}), score {}", self, p, reason, score);
    if (score < config.score().disconnectThreshold()) {
      LOG.info("{}: disconnecting {}: score {} below {} after {}", self, p, score,
          config.score().disconnectThreshold(), reason);
      banned.put(p, System.currentTimeMillis() + config.score().banDuration().toMillis());
      peers.remove(p);
      mesh.values().forEach(m -> m.remove(p));
      fanout.values().forEach(m -> m.remove(p));
      network.disconnect(p, "gossip score " + score + " below threshold");
      scoreDisconnectListeners.forEach(l -> l.accept(p));
    }
  }

  private void decayScores() {
    double d = config.score().decay();
    for (PeerState s : peers.values()) {
      s.invalid = s.invalid * d < 0.01 ? 0 : s.invalid * d;
      s.flood = s.flood * d < 0.01 ? 0 : s.flood * d;
      s.behaviour = s.behaviour * d < 0.01 ? 0 : s.behaviour * d;
    }
  }

  // ---------------------------------------------------------------- sending

  private void addBackoff(String topic, PeerId p, long millis) {
    backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(p, System.currentTimeMillis() + millis, Math::max);
  }

  private boolean inBackoff(String topic, PeerId p) {
    Long until = backoff.getOrDefault(topic, Map.of()).get(p);
    return until != null && until > System.currentTimeMillis();
  }

  private RpcProto.ControlPrune.Builder prune(String topic) {
    return RpcProto.ControlPrune.newBuilder().setTopicID(topic).setBackoff(config.pruneBackoff().toSeconds());
  }

  private RPC.Builder control(PeerId p) {
    PeerState s = peers.get(p);
    if (s == null) {
      return RPC.newBuilder(); // dropped on flush
    }
    if (s.pendingControl == null) {
      s.pendingControl = RPC.newBuilder();
    }
    return s.pendingControl;
  }

  private ControlMessage.Builder controlOf(PeerId p) {
    return control(p).getControlBuilder();
  }

  private void flushControl() {
    peers.forEach((p, s) -> {
      if (s.pendingControl != null) {
        RPC rpc = s.pendingControl.build();
        s.pendingControl = null;
        send(p, rpc);
      }
    });
  }

  private void send(PeerId p, RPC rpc) {
    PeerState s = peers.get(p);
    if (s == null) {
      return;
    }
    if (s.outbound == null) {
      if (s.queued.size() < 1024) {
        s.queued.add(rpc);
      }
      return;
    }
    write(s, rpc);
  }

  private void write(PeerState s, RPC rpc) {
    s.outbound.write(LengthPrefixedReader.frame(rpc.toByteArray()));
  }

  private static RPC.SubOpts.Builder subOpts(String topic, boolean subscribe) {
    return RPC.SubOpts.newBuilder().setTopicid(topic).setSubscribe(subscribe);
  }
}
