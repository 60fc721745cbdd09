package dev.tandem.node.net;

import dev.tandem.p2p.HostConfig;
import dev.tandem.p2p.Libp2pHost;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.PeerListener;
import dev.tandem.p2p.reqresp.RequestHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's libp2p host plus a dialer that keeps the bootstrap peers connected: each is dialed at
 * start, retried with exponential backoff while unreachable (peers may start later), and redialed
 * when its connection drops. A connection that keeps dropping right away (e.g. the peer banned us)
 * keeps its backoff growing; one that has lasted a check period resets it.
 */
public final class P2pService implements NodeNetwork, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(P2pService.class);
  static final long MIN_BACKOFF_MILLIS = 250;
  static final long MAX_BACKOFF_MILLIS = 30_000;
  private static final long CHECK_PERIOD_MILLIS = 5_000;
  private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(10);

  private final Libp2pHost host;
  private final Map<PeerId, Multiaddr> bootstrap = new ConcurrentHashMap<>();
  /** Next retry delay per bootstrap peer. */
  private final Map<PeerId, Long> backoff = new ConcurrentHashMap<>();
  /** Bootstrap peers with a dial or a scheduled retry under way, so that each has one retry loop. */
  private final Map<PeerId, Boolean> dialing = new ConcurrentHashMap<>();
  private final ScheduledExecutorService dialer;
  private volatile boolean closed;

  private P2pService(HostConfig config, List<Multiaddr> peers) {
    this.host = new Libp2pHost(config);
    for (Multiaddr address : peers) {
      PeerId peer = address.peerId().orElseThrow(() -> new IllegalArgumentException(
          "bootstrap peer " + address + " has no /p2p/<peer id>"));
      if (!peer.equals(host.peerId())) { // a shared peer list may name this node too
        bootstrap.put(peer, address);
      }
    }
    this.dialer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "tandem-p2p-dialer");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Binds {@code config.listenAddress()} and starts dialing {@code peers} (multiaddrs with /p2p/&lt;id&gt;). */
  public static P2pService start(HostConfig config, List<Multiaddr> peers) {
    P2pService service = new P2pService(config, peers);
    try {
      service.host.addPeerListener(service.new Redialer());
      service.host.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      service.close();
      throw new IllegalStateException("interrupted while binding " + config.listenAddress(), e);
    } catch (RuntimeException e) {
      service.close();
      throw new IllegalStateException("cannot listen for p2p on " + config.listenAddress() + ": " + e.getMessage(), e);
    }
    service.bootstrap.keySet().forEach(peer -> service.ensureDialing(peer, 0));
    service.dialer.scheduleWithFixedDelay(service::check, CHECK_PERIOD_MILLIS, CHECK_PERIOD_MILLIS,
        TimeUnit.MILLISECONDS);
    LOG.info("p2p peer {} listening on {}, {} bootstrap peers", service.host.peerId(),
        service.host.listenAddresses(), service.bootstrap.size());
    return service;
  }

  /** The underlying host (gossip scores, ping, identify). */
  public Libp2pHost host() {
    return host;
  }

  @Override
  public PeerId localPeer() {
    return host.peerId();
  }

  /** Bound addresses, each ending in {@code /p2p/<our peer id>}: what other nodes put in their bootstrapPeers. */
  public List<Multiaddr> listenAddresses() {
    return host.listenAddresses();
  }

  @Override
  public List<PeerId> connectedPeers() {
    return host.connectedPeers();
  }

  public int peerCount() {
    return host.connectedPeers().size();
  }

  @Override
  public CompletableFuture<Integer> broadcast(String topic, byte[] data) {
    return host.gossip().publish(topic, data);
  }

  @Override
  public void subscribe(String topic, TopicHandler handler) {
    // The validator runs once per new message, before delivery and forwarding; its verdict is the handler's.
    host.gossip().registerValidator(topic, message -> handler.onMessage(message.from(), message.data()));
    host.gossip().subscribe(topic, message -> { });
  }

  @Override
  public void subscribeUnsigned(String topic, TopicHandler handler) {
    host.gossip().useStrictNoSign(topic);
    subscribe(topic, handler);
  }

  @Override
  public void registerHandler(String protocol, RequestHandler handler) {
    host.reqResp().registerHandler(protocol, handler);
  }

  @Override
  public CompletableFuture<byte[]> request(PeerId peer, String protocol, byte[] request, Duration timeout) {
    return host.reqResp().request(peer, protocol, request, timeout);
  }

  @Override
  public boolean send(PeerId peer, String protocol, byte[] message) {
    return host.directMessages().send(peer, protocol, message);
  }

  @Override
  public void registerMessageHandler(String protocol, MessageHandler handler) {
    host.directMessages().registerHandler(protocol, handler::onMessage);
  }

  @Override
  public void addPeerListener(PeerListener listener) {
    host.addPeerListener(listener);
  }

  /** Starts a retry loop for {@code peer} unless one runs or it is connected. */
  private void ensureDialing(PeerId peer, long delayMillis) {
    if (closed || host.connectedPeers().contains(peer) || dialing.putIfAbsent(peer, Boolean.TRUE) != null) {
      return;
    }
    schedule(peer, delayMillis);
  }

  private void schedule(PeerId peer, long delayMillis) {
    try {
      dialer.schedule(() -> dial(peer), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      dialing.remove(peer);
    }
  }

  private void dial(PeerId peer) {
    if (closed || host.connectedPeers().contains(peer)) {
      dialing.remove(peer);
      return;
    }
    Multiaddr address = bootstrap.get(peer);
    host.dial(address).orTimeout(DIAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((id, error) -> {
      if (error == null) {
        dialing.remove(peer);
        LOG.debug("connected to bootstrap peer {}", address);
        return;
      }
      long delay = nextBackoff(peer);
      LOG.debug("dialing bootstrap peer {} failed ({}); retrying in {} ms", address, error.toString(), delay);
      schedule(peer, delay);
    });
  }

  private long nextBackoff(PeerId peer) {
    return backoff.compute(peer, (p, current) -> current == null ? MIN_BACKOFF_MILLIS
        : Math.min(MAX_BACKOFF_MILLIS, current * 2));
  }

  /** Periodic: a connection that lasted a period resets its backoff; anything missed gets dialed. */
  private void check() {
    List<PeerId> connected = host.connectedPeers();
    for (PeerId peer : bootstrap.keySet()) {
      if (connected.contains(peer)) {
        backoff.remove(peer);
      } else {
        ensureDialing(peer, 0);
      }
    }
  }

  /** Redials a bootstrap peer whose last connection closed. */
  private final class Redialer implements PeerListener {
    @Override
    public void onConnected(PeerId peer) {
      LOG.debug("peer {} connected", peer);
    }

    @Override
    public void onDisconnected(PeerId peer) {
      LOG.debug("peer {} disconnected", peer);
      if (bootstrap.containsKey(peer)) {
        ensureDialing(peer, nextBackoff(peer));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    dialer.shutdownNow();
    host.close();
  }
}
