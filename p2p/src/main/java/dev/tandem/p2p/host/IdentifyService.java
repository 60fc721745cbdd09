package dev.tandem.p2p.host;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.proto.IdentifyProto.Identify;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** libp2p identify ({@code /ipfs/id/1.0.0}): answers peers and asks each new peer once. */
public final class IdentifyService implements ConnectionListener {
  private static final Logger LOG = LoggerFactory.getLogger(IdentifyService.class);
  public static final String PROTOCOL = "/ipfs/id/1.0.0";
  private static final int MAX_MESSAGE = 64 * 1024;

  private final Network network;
  private final String agentVersion;
  private final Supplier<List<Multiaddr>> listenAddresses;

  public IdentifyService(Network network, String agentVersion, Supplier<List<Multiaddr>> listenAddresses) {
    this.network = network;
    this.agentVersion = agentVersion;
    this.listenAddresses = listenAddresses;
    network.registerProtocol(PROTOCOL, (conn, stream) -> {
      stream.write(LengthPrefixedReader.frame(localInfo(conn).toByteArray()));
      stream.closeWrite();
      return new StreamHandler() {
        @Override
        public void onData(YamuxStream s, ByteBuf data) {
          // the asking side sends nothing
        }
      };
    });
    network.addListener(this);
  }

  private Identify localInfo(Connection conn) {
    Identify.Builder b = Identify.newBuilder()
        .setProtocolVersion("ipfs/0.1.0")
        .setAgentVersion(agentVersion)
        .setPublicKey(ByteString.copyFrom(network.identity().publicKeyProto()))
        .setObservedAddr(ByteString.copyFrom(conn.remoteAddress().withoutPeerId().toBytes()))
        .addAllProtocols(network.protocols());
    for (Multiaddr a : listenAddresses.get()) {
      b.addListenAddrs(ByteString.copyFrom(a.withoutPeerId().toBytes()));
    }
    return b.build();
  }

  /**
   * The answer of the peer on {@code conn} to who it is: asked once per connection and shared by
   * every caller (asked again only after a failed exchange).
   */
  public CompletableFuture<Connection.IdentifyInfo> identify(Connection conn) {
    return conn.identification(() -> exchange(conn));
  }

  private CompletableFuture<Connection.IdentifyInfo> exchange(Connection conn) {
    CompletableFuture<Connection.IdentifyInfo> result = new CompletableFuture<>();
    LengthPrefixedReader reader = new LengthPrefixedReader(MAX_MESSAGE);
    conn.openStream(List.of(PROTOCOL), new StreamHandler() {
      @Override
      public void onData(YamuxStream s, ByteBuf data) {
        reader.onData(data, msg -> {
          Connection.IdentifyInfo info = parse(msg);
          result.complete(info);
          s.closeWrite();
        });
      }

      @Override
      public void onRemoteClose(YamuxStream s) {
        result.completeExceptionally(new WireException("identify stream closed without a message"));
        s.closeWrite();
      }

      @Override
      public void onReset(YamuxStream s) {
        result.completeExceptionally(new WireException("identify stream reset"));
      }
    }).exceptionally(e -> {
      result.completeExceptionally(e);
      return null;
    });
    return result;
  }

  static Connection.IdentifyInfo parse(byte[] msg) {
    Identify id;
    try {
      id = Identify.parseFrom(msg);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException("malformed identify message", e);
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString a : id.getListenAddrsList()) {
      try {
        addrs.add(Multiaddr.fromBytes(a.toByteArray()));
      } catch (WireException e) {
        LOG.debug("skipping listen address we cannot parse: {}", e.getMessage());
      }
    }
    Multiaddr observed = null;
    if (id.hasObservedAddr()) {
      try {
        observed = Multiaddr.fromBytes(id.getObservedAddr().toByteArray());
      } catch (WireException e) {
        LOG.debug("skipping observed address we cannot parse: {}", e.getMessage());
      }
    }
    return new Connection.IdentifyInfo(id.getAgentVersion(), id.getProtocolVersion(),
        List.copyOf(id.getProtocolsList()), List.copyOf(addrs), observed);
  }

  @Override
  public void onConnected(Connection connection) {
    identify(connection).whenComplete((info, e) -> {
      if (e != null) {
        LOG.debug("identify of {} failed: {}", connection.remotePeer(), e.toString());
      } else {
        LOG.debug("identified {}: {} {}", connection.remotePeer(), info.agentVersion(), info.protocols());
      }
    });
  }

  @Override
  public void onDisconnected(dev.tandem.p2p.PeerId peer) {}
}
