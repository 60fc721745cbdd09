package dev.tandem.p2p.reqresp;

import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-way messages over {@code /tandem/msg/1.0.0/<name>}: one long-lived stream per peer and name,
 * carrying uvarint-length-prefixed messages in the order they were sent, with no answers. A request
 * ({@link ReqResp}) opens a stream and negotiates its protocol, a round trip, before its first byte;
 * here only the first message to a peer pays that. Delivery is best effort: a message sent while the
 * stream fails is lost, and the next one opens a new stream. An oversized message resets the stream.
 */
public final class DirectMessages {
  private static final Logger LOG = LoggerFactory.getLogger(DirectMessages.class);
  public static final String PREFIX = "/tandem/msg/1.0.0/";
  /** Messages queued for a stream that is still being opened; beyond this they are dropped. */
  static final int MAX_QUEUED = 1024;

  /** Receives the messages of one name. Called on the connection's event loop: hand work off quickly. */
  @FunctionalInterface
  public interface MessageHandler {
    void onMessage(PeerId from, byte[] message);
  }

  private final Network network;
  private final int maxMessageBytes;
  private final Map<Key, Outbound> outbound = new ConcurrentHashMap<>();

  private record Key(PeerId peer, String name) {}

  /** A stream to one peer for one name: opening (messages queue) or open (messages go at once). */
  private static final class Outbound {
    final Connection connection;
    YamuxStream stream;
    boolean failed;
    List<byte[]> queued = new ArrayList<>();

    Outbound(Connection connection) {
      this.connection = connection;
    }
  }

  public DirectMessages(Network network, int maxMessageBytes) {
    this.network = network;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Delivers each message of {@code name} to {@code handler}; replaces an earlier handler. */
  public void registerHandler(String name, MessageHandler handler) {
    network.registerProtocol(protocolId(name), (connection, stream) -> {
      PeerId from = connection.remotePeer();
      LengthPrefixedReader reader = new LengthPrefixedReader(maxMessageBytes);
      return (s, data) -> reader.onData(data, message -> handler.onMessage(from, message));
    });
  }

  /**
   * Sends {@code message} to a connected {@code peer}; false if it cannot go (not connected, too
   * large, or too many queued while the stream opens). True does not mean it arrived.
   */
  public boolean send(PeerId peer, String name, byte[] message) {
    if (message.length > maxMessageBytes) {
      return false;
    }
    Optional<Connection> connection = network.connection(peer);
    if (connection.isEmpty()) {
      return false;
    }
    Key key = new Key(peer, name);
    Outbound out = outbound.compute(key, (k, existing) ->
        existing == null || existing.failed || existing.connection != connection.get() ? open(k, connection.get())
            : existing);
    synchronized (out) {
      if (out.stream != null) {
        out.stream.write(LengthPrefixedReader.frame(message));
        return true;
      }
      if (out.failed || out.queued.size() >= MAX_QUEUED) {
        return false;
      }
      out.queued.add(message);
      return true;
    }
  }

  private Outbound open(Key key, Connection connection) {
    Outbound out = new Outbound(connection);
    connection.openStream(List.of(protocolId(key.name())), new StreamHandler() {
      @Override
      public void onData(YamuxStream stream, ByteBuf data) {
        // the peer never writes on this stream
      }

      @Override
      public void onRemoteClose(YamuxStream stream) {
        fail(key, out, "the peer closed it");
        stream.reset();
      }

      @Override
      public void onReset(YamuxStream stream) {
        fail(key, out, "it was reset");
      }
    }).whenComplete((stream, error) -> {
      if (error != null) {
        fail(key, out, error.getMessage());
        return;
      }
      synchronized (out) {
        if (out.failed) {
          stream.reset();
          return;
        }
        out.queued.forEach(message -> stream.write(LengthPrefixedReader.frame(message)));
        out.queued = List.of();
        out.stream = stream;
      }
    });
    return out;
  }

  private void fail(Key key, Outbound out, String why) {
    synchronized (out) {
      if (out.failed) {
        return;
      }
      out.failed = true;
      if (!out.queued.isEmpty()) {
        LOG.debug("dropping {} messages for {} to {}: {}", out.queued.size(), key.name(), key.peer(), why);
      }
      out.queued = List.of();
    }
    outbound.remove(key, out);
  }

  static String protocolId(String name) {
    if (name.isEmpty() || name.length() > 100 || !name.matches("[A-Za-z0-9._\\-/]+")) {
      throw new IllegalArgumentException("invalid message protocol name '" + name + "'");
    }
    return PREFIX + name;
  }
}
