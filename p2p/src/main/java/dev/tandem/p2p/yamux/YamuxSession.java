package dev.tandem.p2p.yamux;

import dev.tandem.p2p.wire.WireException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Yamux ({@code /yamux/1.0.0}) over a secured byte stream: 12-byte big-endian headers, data,
 * window-update, ping and go-away frames, SYN/ACK/FIN/RST flags, 256 KiB per-stream windows. The
 * connection's dialer uses odd stream ids, the listener even ones. All state is touched on the
 * connection's event loop only.
 */
public final class YamuxSession {
  private static final Logger LOG = LoggerFactory.getLogger(YamuxSession.class);

  public static final int INITIAL_WINDOW = 256 * 1024;
  static final int HEADER = 12;
  static final int TYPE_DATA = 0;
  static final int TYPE_WINDOW_UPDATE = 1;
  static final int TYPE_PING = 2;
  static final int TYPE_GO_AWAY = 3;
  static final int SYN = 1;
  static final int ACK = 2;
  static final int FIN = 4;
  static final int RST = 8;
  /** Largest data frame we send; keeps one stream from hogging the connection. */
  private static final int MAX_FRAME_DATA = 64 * 1024;

  /** What the session needs from its connection. */
  public interface Transport {
    /** Queues bytes for the peer (taken over). */
    void write(ByteBuf bytes);

    void flush();

    Executor eventLoop();

    boolean inEventLoop();

    /** Closes the underlying connection, logging why. */
    void close(String reason);
  }

  private final boolean client;
  private final Transport transport;
  private final int maxInboundStreams;
  private final long maxPendingBytes;
  private final Consumer<YamuxStream> inboundStreams;
  private final String name;
  private final Map<Integer, YamuxStream> streams = new HashMap<>();
  private int nextId;
  private int inboundCount;
  private boolean closed;

  /**
   * @param client true on the connection's dialer side (odd stream ids)
   * @param inboundStreams called with each new inbound stream; it must set the stream's handler
   */
  public YamuxSession(boolean client, Transport transport, int maxInboundStreams, long maxPendingBytes,
      Consumer<YamuxStream> inboundStreams, String name) {
    this.client = client;
    this.transport = transport;
    this.maxInboundStreams = maxInboundStreams;
    this.maxPendingBytes = maxPendingBytes;
    this.inboundStreams = inboundStreams;
    this.name = name;
    this.nextId = client ? 1 : 2;
  }

  /** Opens an outbound stream (on the event loop). */
  public YamuxStream openStream(StreamHandler handler) {
    if (closed) {
      throw new IllegalStateException("yamux session closed");
    }
    int id = nextId;
    nextId += 2;
    YamuxStream s = new YamuxStream(this, id, false, handler);
    streams.put(id, s);
    writeHeader(TYPE_WINDOW_UPDATE, SYN, id, 0);
    transport.flush();
    return s;
  }

  public int streamCount() {
    return streams.size();
  }

  /** Parses all complete frames in {@code in}; throws {@link WireException} on a protocol violation. */
  public void onData(ByteBuf in) {
    while (!closed && in.readableBytes() >= HEADER) {
      int start = in.readerIndex();
      int version = in.getUnsignedByte(start);
      int type = in.getUnsignedByte(start + 1);
      int flags = in.getUnsignedShort(start + 2);
      int id = in.getInt(start + 4);
      long length = in.getUnsignedInt(start + 8);
      if (version != 0) {
        throw new WireException("yamux version " + version + " unsupported");
      }
      if (type > TYPE_GO_AWAY) {
        throw new WireException("yamux frame type " + type + " unknown");
      }
      if (type == TYPE_DATA) {
        if (length > INITIAL_WINDOW) {
          throw new WireException("yamux data frame of " + length + " bytes exceeds the window");
        }
        if (in.readableBytes() < HEADER + length) {
          return;
        }
      }
      in.skipBytes(HEADER);
      switch (type) {
        case TYPE_DATA -> {
          ByteBuf payload = in.readSlice((int) length);
          onStreamFrame(type, flags, id, length, payload);
        }
        case TYPE_WINDOW_UPDATE -> onStreamFrame(type, flags, id, length, null);
        case TYPE_PING -> {
          if ((flags & SYN) != 0) {
            writeHeader(TYPE_PING, ACK, 0, length);
            transport.flush();
          }
        }
        default -> {
          transport.close("peer sent yamux go-away (code " + length + ")");
          return;
        }
      }
    }
  }

  private void onStreamFrame(int type, int flags, int id, long length, ByteBuf payload) {
    if (id == 0) {
      throw new WireException("yamux stream frame on session id 0");
    }
    YamuxStream s = streams.get(id);
    if ((flags & SYN) != 0) {
      if (s != null) {
        throw new WireException("yamux SYN for existing stream " + id);
      }
      boolean peerIdParity = (id & 1) == (client ? 0 : 1);
      if (!peerIdParity) {
        throw new WireException("yamux stream id " + id + " has the wrong parity for the peer");
      }
      if (inboundCount >= maxInboundStreams) {
        log("refusing stream " + id + ": " + inboundCount + " inbound streams open (limit " + maxInboundStreams + ")");
        writeHeader(TYPE_WINDOW_UPDATE, RST, id, 0);
        transport.flush();
        return;
      }
      s = new YamuxStream(this, id, true, null);
      streams.put(id, s);
      inboundCount++;
      writeHeader(TYPE_WINDOW_UPDATE, ACK, id, 0);
      inboundStreams.accept(s);
      if (s.handler() == null) {
        resetStream(s, true);
        return;
      }
    }
    if (s == null) {
      return; // late frame for a stream we already dropped
    }
    if ((flags & RST) != 0) {
      resetStream(s, false);
      return;
    }
    if (type == TYPE_WINDOW_UPDATE) {
      s.sendWindow += length;
      if (s.sendWindow > Integer.MAX_VALUE) {
        throw new WireException("yamux window overflow on stream " + id);
      }
      flushStream(s);
    } else if (length > 0) {
      if (length > s.recvWindow) {
        throw new WireException("yamux stream " + id + " sent " + length + " bytes over a window of " + s.recvWindow);
      }
      s.recvWindow -= length;
      if (!s.remoteClosed) {
        deliver(s, payload);
      }
      long consumed = INITIAL_WINDOW - s.recvWindow;
      if (!s.reset && !s.remoteClosed && consumed >= INITIAL_WINDOW / 2) {
        s.recvWindow = INITIAL_WINDOW;
        writeHeader(TYPE_WINDOW_UPDATE, 0, id, consumed);
        transport.flush();
      }
    }
    if ((flags & FIN) != 0 && !s.remoteClosed && !s.reset) {
      s.remoteClosed = true;
      StreamHandler h = s.handler();
      try {
        if (h != null) {
          h.onRemoteClose(s);
        }
      } catch (RuntimeException e) {
        LOG.warn("{} {}: handler failed on close: {}", name, s, e.toString());
        resetStream(s, true);
        return;
      }
      maybeRemove(s);
    }
  }

  private void deliver(YamuxStream s, ByteBuf payload) {
    StreamHandler h = s.handler();
    if (h == null || s.reset) {
      return;
    }
    try {
      h.onData(s, payload);
    } catch (WireException e) {
      LOG.info("{} {}: resetting stream: {}", name, s, e.getMessage());
      resetStream(s, true);
    } catch (RuntimeException e) {
      LOG.warn("{} {}: handler failed, resetting stream", name, s, e);
      resetStream(s, true);
    }
  }

  void flushStream(YamuxStream s) {
    if (closed || s.reset) {
      s.releasePending();
      return;
    }
    boolean wrote = false;
    while (s.hasPending() && s.sendWindow > 0) {
      ByteBuf head = s.peekPending();
      int n = (int) Math.min(Math.min(head.readableBytes(), s.sendWindow), MAX_FRAME_DATA);
      writeHeader(TYPE_DATA, 0, s.id(), n);
      transport.write(head.readRetainedSlice(n));
      s.sendWindow -= n;
      s.consumedPending(n);
      wrote = true;
    }
    if (s.finPending && !s.hasPending() && !s.localClosed) {
      s.localClosed = true;
      writeHeader(TYPE_WINDOW_UPDATE, FIN, s.id(), 0);
      wrote = true;
      maybeRemove(s);
    }
    if (wrote) {
      transport.flush();
    }
  }

  void resetStream(YamuxStream s, boolean sendRst) {
    if (s.reset) {
      return;
    }
    s.reset = true;
    s.releasePending();
    if (streams.remove(s.id()) != null && s.isInbound()) {
      inboundCount--;
    }
    if (sendRst && !closed) {
      writeHeader(TYPE_WINDOW_UPDATE, RST, s.id(), 0);
      transport.flush();
    }
    StreamHandler h = s.handler();
    if (h != null) {
      try {
        h.onReset(s);
      } catch (RuntimeException e) {
        LOG.warn("{} {}: handler failed on reset", name, s, e);
      }
    }
  }

  private void maybeRemove(YamuxStream s) {
    if (s.localClosed && s.remoteClosed && streams.remove(s.id()) != null && s.isInbound()) {
      inboundCount--;
    }
  }

  /** Sends go-away and resets every stream; used when the connection is closing. */
  public void close(boolean sendGoAway) {
    if (closed) {
      return;
    }
    if (sendGoAway) {
      writeHeader(TYPE_GO_AWAY, 0, 0, 0);
      transport.flush();
    }
    closed = true;
    for (YamuxStream s : new ArrayList<>(streams.values())) {
      resetStream(s, false);
    }
  }

  private void writeHeader(int type, int flags, int id, long length) {
    ByteBuf h = Unpooled.buffer(HEADER);
    h.writeByte(0).writeByte(type).writeShort(flags).writeInt(id).writeInt((int) length);
    transport.write(h);
  }

  void execute(Runnable r) {
    if (transport.inEventLoop()) {
      r.run();
    } else {
      transport.eventLoop().execute(r);
    }
  }

  long maxPendingBytes() {
    return maxPendingBytes;
  }

  void log(String message) {
    LOG.info("{}: {}", name, message);
  }
}
