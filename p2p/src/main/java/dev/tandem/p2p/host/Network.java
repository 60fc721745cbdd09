package dev.tandem.p2p.host;

import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.noise.NoiseXX;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport core of a host: listens and dials TCP, upgrades connections, keeps them per peer,
 * and routes inbound streams to registered protocol handlers.
 */
public final class Network implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Network.class);

  private final Identity identity;
  private final Limits limits;
  private final byte[] noiseStaticKey = NoiseXX.generateStaticKey();
  private final EventLoopGroup group;
  private final Map<String, InboundHandler> protocols = new ConcurrentHashMap<>();
  private final Map<PeerId, List<Connection>> connections = new ConcurrentHashMap<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger connectionCount = new AtomicInteger();
  private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  public Network(Identity identity, Limits limits, int ioThreads) {
    this.identity = identity;
    this.limits = limits;
    this.group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
  }

  public Identity identity() {
    return identity;
  }

  public Limits limits() {
    return limits;
  }

  byte[] noiseStaticKey() {
    return noiseStaticKey;
  }

  public void registerProtocol(String protocolId, InboundHandler handler) {
    protocols.put(protocolId, handler);
  }

  public Set<String> protocols() {
    return Set.copyOf(protocols.keySet());
  }

  boolean supports(String protocolId) {
    return protocols.containsKey(protocolId);
  }

  InboundHandler handler(String protocolId) {
    return protocols.get(protocolId);
  }

  public void addListener(ConnectionListener listener) {
    listeners.add(listener);
  }

  /** Binds a TCP listener; completes with the bound address (port 0 resolved). */
  public Multiaddr listen(Multiaddr address) throws InterruptedException {
    InetSocketAddress bind = address.tcpAddress();
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ConnectionHandler(Network.this, false, null, new CompletableFuture<>()));
          }
        });
    ChannelFuture f = b.bind(bind).sync();
    serverChannels.add(f.channel());
    return Multiaddr.tcp((InetSocketAddress) f.channel().localAddress(), null);
  }

  /**
   * Connects to {@code address}; when it names a /p2p peer, the handshake must prove that identity
   * and an existing connection to it is reused.
   */
  public CompletableFuture<Connection> dial(Multiaddr address) {
    CompletableFuture<Connection> ready = new CompletableFuture<>();
    if (closed) {
      ready.completeExceptionally(new IllegalStateException("host closed"));
      return ready;
    }
    PeerId expected;
    InetSocketAddress target;
    try {
      expected = address.peerId().orElse(null);
      target = address.tcpAddress();
    } catch (RuntimeException e) {
      ready.completeExceptionally(e);
      return ready;
    }
    if (expected != null) {
      Optional<Connection> existing = connection(expected);
      if (existing.isPresent()) {
        ready.complete(existing.get());
        return ready;
      }
    }
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.handshakeTimeout().toMillis())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ConnectionHandler(Network.this, true, expected, ready));
          }
        });
    b.connect(target).addListener(f -> {
      if (!f.isSuccess()) {
        ready.completeExceptionally(f.cause());
      }
    });
    return ready;
  }

  /** The oldest open connection to {@code peer}. */
  public Optional<Connection> connection(PeerId peer) {
    List<Connection> list = connections.get(peer);
    if (list == null) {
      return Optional.empty();
    }
    synchronized (list) {
      return list.stream().filter(Connection::isOpen).findFirst();
    }
  }

  public List<PeerId> connectedPeers() {
    return new ArrayList<>(connections.keySet());
  }

  /** Closes every connection to {@code peer}, logging why. */
  public void disconnect(PeerId peer, String reason) {
    List<Connection> list = connections.get(peer);
    if (list == null) {
      return;
    }
    List<Connection> copy;
    synchronized (list) {
      copy = new ArrayList<>(list);
    }
    copy.forEach(c -> c.close(reason));
  }

  boolean onConnectionReady(Connection c) {
    if (closed || connectionCount.incrementAndGet() > limits.maxConnections()) {
      connectionCount.decrementAndGet();
      return false;
    }
    boolean first;
    List<Connection> list = connections.computeIfAbsent(c.remotePeer(), p -> new ArrayList<>());
    synchronized (list) {
      first = list.isEmpty();
      list.add(c);
    }
    LOG.debug("{} connected to {} ({})", identity.peerId(), c.remotePeer(), c.isInitiator() ? "outbound" : "inbound");
    if (first) {
      for (ConnectionListener l : listeners) {
        try {
          l.onConnected(c);
        } catch (RuntimeException e) {
          LOG.warn("connection listener failed", e);
        }
      }
    }
    return true;
  }

  void onConnectionClosed(Connection c) {
    List<Connection> list = connections.get(c.remotePeer());
    if (list == null) {
      return;
    }
    boolean last;
    synchronized (list) {
      if (!list.remove(c)) {
        return;
      }
      connectionCount.decrementAndGet();
      last = list.isEmpty();
      if (last) {
        connections.remove(c.remotePeer(), list);
      }
    }
    if (last) {
      for (ConnectionListener l : listeners) {
        try {
          l.onDisconnected(c.remotePeer());
        } catch (RuntimeException e) {
          LOG.warn("connection listener failed", e);
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Channel ch : serverChannels) {
      ch.close().awaitUninterruptibly();
    }
    for (PeerId p : connectedPeers()) {
      disconnect(p, "host closing");
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
