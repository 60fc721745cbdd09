package dev.tandem.p2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayDeque;

/**
 * One yamux stream. Public methods may be called from any thread; they run on the connection's
 * event loop. Data written beyond the peer's window waits in a bounded queue.
 */
public final class YamuxStream {
  private final YamuxSession session;
  private final int id;
  private final boolean inbound;
  private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
  private volatile StreamHandler handler;
  private volatile String protocol;
  private long pendingBytes;
  long sendWindow = YamuxSession.INITIAL_WINDOW;
  long recvWindow = YamuxSession.INITIAL_WINDOW;
  boolean localClosed;
  boolean finPending;
  boolean remoteClosed;
  boolean reset;

  YamuxStream(YamuxSession session, int id, boolean inbound, StreamHandler handler) {
    this.session = session;
    this.id = id;
    this.inbound = inbound;
    this.handler = handler;
  }

  public int id() {
    return id;
  }

  public boolean isInbound() {
    return inbound;
  }

  /** The protocol negotiated on this stream, or null while negotiating. */
  public String protocol() {
    return protocol;
  }

  public void setProtocol(String protocol) {
    this.protocol = protocol;
  }

  public StreamHandler handler() {
    return handler;
  }

  /** Replaces the handler; call on the event loop (e.g. from the current handler). */
  public void setHandler(StreamHandler handler) {
    this.handler = handler;
  }

  /** Queues bytes for the peer; the buffer is taken over (released when sent). */
  public void write(ByteBuf data) {
    session.execute(() -> {
      if (localClosed || reset || finPending) {
        data.release();
        return;
      }
      pendingBytes += data.readableBytes();
      pending.add(data);
      if (pendingBytes > session.maxPendingBytes()) {
        session.log("stream " + id + " write queue over " + session.maxPendingBytes() + " bytes; resetting");
        reset();
        return;
      }
      session.flushStream(this);
    });
  }

  public void write(byte[] data) {
    write(Unpooled.wrappedBuffer(data));
  }

  /** Half-closes: sends FIN after the queued data. */
  public void closeWrite() {
    session.execute(() -> {
      if (localClosed || reset) {
        return;
      }
      finPending = true;
      session.flushStream(this);
    });
  }

  /** Aborts the stream in both directions (RST). */
  public void reset() {
    session.execute(() -> session.resetStream(this, true));
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  ByteBuf peekPending() {
    return pending.peek();
  }

  void consumedPending(int n) {
    pendingBytes -= n;
    ByteBuf head = pending.peek();
    if (head != null && !head.isReadable()) {
      pending.poll().release();
    }
  }

  void releasePending() {
    for (ByteBuf b : pending) {
      b.release();
    }
    pending.clear();
    pendingBytes = 0;
  }

  @Override
  public String toString() {
    return "stream " + id + (protocol == null ? "" : " " + protocol);
  }
}
