package dev.tandem.p2p;

import dev.tandem.p2p.gossip.GossipSub;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.ConnectionListener;
import dev.tandem.p2p.host.IdentifyService;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.host.PingService;
import dev.tandem.p2p.reqresp.DirectMessages;
import dev.tandem.p2p.reqresp.ReqResp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A libp2p node: TCP + Noise + Yamux, identify, ping, gossipsub and request/response. Build it from
 * a {@link HostConfig}, register gossip topics and request handlers, then {@link #start()}.
 *
 * <pre>{@code
 * Libp2pHost host = new Libp2pHost(HostConfig.defaults(Identity.generate(), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
 * host.gossip().subscribe("txs", msg -> ...);
 * host.start();
 * host.dial(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...")).join();
 * host.gossip().publish("txs", bytes);
 * }</pre>
 */
public final class Libp2pHost implements AutoCloseable {
  /** Largest request and response accepted by {@link #reqResp()}: 16 MiB, enough for block batches. */
  public static final int MAX_REQRESP_BYTES = 16 * 1024 * 1024;

  private final HostConfig config;
  private final Network network;
  private final IdentifyService identify;
  private final PingService ping;
  private final GossipSub gossip;
  private final ReqResp reqResp;
  private final DirectMessages directMessages;
  private final List<Multiaddr> listenAddresses = new CopyOnWriteArrayList<>();

  public Libp2pHost(HostConfig config) {
    this.config = config;
    this.network = new Network(config.identity(), config.limits(), config.ioThreads());
    this.identify = new IdentifyService(network, config.agentVersion(), () -> listenAddresses);
    this.ping = new PingService(network);
    this.gossip = new GossipSub(config.identity(), network, config.gossip());
    this.reqResp = new ReqResp(network, MAX_REQRESP_BYTES, MAX_REQRESP_BYTES);
    this.directMessages = new DirectMessages(network, MAX_REQRESP_BYTES);
  }

  /** Binds the listen address. */
  public void start() throws InterruptedException {
    Multiaddr bound = network.listen(config.listenAddress());
    listenAddresses.add(bound.withPeerId(peerId()));
  }

  public PeerId peerId() {
    return config.identity().peerId();
  }

  /** Bound addresses, each ending in {@code /p2p/<our peer id>}. */
  public List<Multiaddr> listenAddresses() {
    return List.copyOf(listenAddresses);
  }

  /** Connects (or reuses a connection) and completes with the remote peer id once secured and muxed. */
  public CompletableFuture<PeerId> dial(Multiaddr address) {
    return network.dial(address).thenApply(Connection::remotePeer);
  }

  public List<PeerId> connectedPeers() {
    return network.connectedPeers();
  }

  public void disconnect(PeerId peer) {
    network.disconnect(peer, "closed by the application");
  }

  /** One libp2p ping to a connected peer; completes with the round-trip time. */
  public CompletableFuture<Duration> ping(PeerId peer) {
    return network.connection(peer)
        .map(ping::ping)
        .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("not connected to " + peer)));
  }

  /**
   * A connected peer's identify record (agent, protocols, listen addresses), from the identify
   * exchange the host starts on every new connection.
   */
  public CompletableFuture<Connection.IdentifyInfo> identify(PeerId peer) {
    return network.connection(peer)
        .map(identify::identify)
        .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("not connected to " + peer)));
  }

  public GossipSub gossip() {
    return gossip;
  }

  public ReqResp reqResp() {
    return reqResp;
  }

  /** One-way messages over a long-lived stream per peer (up to {@link #MAX_REQRESP_BYTES} each). */
  public DirectMessages directMessages() {
    return directMessages;
  }

  public void addPeerListener(PeerListener listener) {
    network.addListener(new ConnectionListener() {
      @Override
      public void onConnected(Connection connection) {
        listener.onConnected(connection.remotePeer());
      }

      @Override
      public void onDisconnected(PeerId peer) {
        listener.onDisconnected(peer);
      }
    });
  }

  @Override
  public void close() {
    network.close();
    gossip.close();
  }
}
