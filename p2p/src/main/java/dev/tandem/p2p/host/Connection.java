package dev.tandem.p2p.host;

import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.wire.Multistream;
import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxSession;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A secured, multiplexed connection to one peer. */
public final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  private final Channel channel;
  private final PeerId remotePeer;
  private final Multiaddr remoteAddress;
  private final boolean initiator;
  private final Network network;
  private YamuxSession session;
  private CompletableFuture<IdentifyInfo> identification; // guarded by this

  /** What the peer told us about itself over identify. */
  public record IdentifyInfo(String agentVersion, String protocolVersion, List<String> protocols,
      List<Multiaddr> listenAddresses, Multiaddr observedAddress) {}

  Connection(Channel channel, PeerId remotePeer, Multiaddr remoteAddress, boolean initiator, Network network) {
    this.channel = channel;
    this.remotePeer = remotePeer;
    this.remoteAddress = remoteAddress;
    this.initiator = initiator;
    this.network = network;
  }

  void attach(YamuxSession session) {
    this.session = session;
  }

  public PeerId remotePeer() {
    return remotePeer;
  }

  /** The peer's TCP address with its /p2p id. */
  public Multiaddr remoteAddress() {
    return remoteAddress;
  }

  /** True when we dialed this connection. */
  public boolean isInitiator() {
    return initiator;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /** What the peer told us over identify, or null before its answer arrives. */
  public synchronized IdentifyInfo identify() {
    return identification != null && identification.isDone() && !identification.isCompletedExceptionally()
        ? identification.join()
        : null;
  }

  /**
   * The connection's identify exchange: the one in flight or answered, else a new one from
   * {@code start}. Peers may refuse a second identify stream while one is open (js-libp2p allows one
   * at a time), so every caller shares one exchange; only a failed one is tried again.
   */
  synchronized CompletableFuture<IdentifyInfo> identification(Supplier<CompletableFuture<IdentifyInfo>> start) {
    if (identification == null || identification.isCompletedExceptionally()) {
      identification = start.get();
    }
    return identification;
  }

  /**
   * Opens a stream and negotiates the first of {@code protocols} the peer supports. The future
   * completes (off the caller's thread) with the stream once {@code handler} is installed on it.
   */
  public CompletableFuture<YamuxStream> openStream(List<String> protocols, StreamHandler handler) {
    CompletableFuture<YamuxStream> result = new CompletableFuture<>();
    channel.eventLoop().execute(() -> {
      if (session == null || !channel.isActive()) {
        result.completeExceptionally(new IllegalStateException("connection to " + remotePeer + " is closed"));
        return;
      }
      Negotiation n = new Negotiation(result, handler, null);
      YamuxStream s = session.openStream(n);
      n.start(Multistream.dialer(protocols, s::write));
      watchNegotiation(s, result);
    });
    return result;
  }

  void onInboundStream(YamuxStream s) {
    Predicate<String> supported = network::supports;
    Negotiation n = new Negotiation(null, null, this);
    s.setHandler(n);
    n.start(Multistream.listener(supported, s::write));
    watchNegotiation(s, null);
  }

  private void watchNegotiation(YamuxStream s, CompletableFuture<YamuxStream> result) {
    Duration timeout = network.limits().streamNegotiationTimeout();
    channel.eventLoop().schedule(() -> {
      if (s.protocol() == null) {
        LOG.info("{} {}: protocol negotiation timed out", remotePeer, s);
        s.reset();
        if (result != null) {
          result.completeExceptionally(new WireException("protocol negotiation timed out"));
        }
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closes the connection, logging why. */
  public void close(String reason) {
    if (channel.isActive()) {
      LOG.info("closing connection to {}: {}", remotePeer, reason);
      channel.eventLoop().execute(() -> {
        if (session != null) {
          session.close(true);
        }
        channel.close();
      });
    }
  }

  void onChannelClosed() {
    if (session != null) {
      session.close(false);
    }
  }

  /** Runs multistream-select on a fresh stream, then hands it to the protocol's handler. */
  private final class Negotiation implements StreamHandler {
    private final CompletableFuture<YamuxStream> outbound;
    private final StreamHandler outboundHandler;
    private final Connection inbound;
    private final ByteBuf buffer = Unpooled.buffer();
    private Multistream multistream;

    Negotiation(CompletableFuture<YamuxStream> outbound, StreamHandler outboundHandler, Connection inbound) {
      this.outbound = outbound;
      this.outboundHandler = outboundHandler;
      this.inbound = inbound;
    }

    void start(Multistream m) {
      this.multistream = m;
    }

    @Override
    public void onData(YamuxStream s, ByteBuf data) {
      buffer.writeBytes(data);
      String agreed;
      try {
        agreed = multistream.onData(buffer);
      } catch (WireException e) {
        fail(e);
        throw e;
      }
      if (agreed == null) {
        return;
      }
      StreamHandler next;
      if (outbound != null) {
        next = outboundHandler;
      } else {
        InboundHandler h = network.handler(agreed);
        next = h == null ? null : h.accept(inbound, s);
        if (next == null) {
          throw new WireException("no handler for " + agreed);
        }
      }
      s.setProtocol(agreed);
      s.setHandler(next);
      if (outbound != null) {
        outbound.complete(s);
      }
      if (buffer.isReadable()) {
        next.onData(s, buffer);
      }
      buffer.release();
    }

    @Override
    public void onRemoteClose(YamuxStream s) {
      fail(new WireException("stream closed during protocol negotiation"));
      s.reset();
    }

    @Override
    public void onReset(YamuxStream s) {
      fail(new WireException("stream reset during protocol negotiation"));
    }

    private void fail(Exception e) {
      if (outbound != null) {
        outbound.completeExceptionally(e);
      }
    }
  }
}
