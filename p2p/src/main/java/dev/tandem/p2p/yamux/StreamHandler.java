package dev.tandem.p2p.yamux;

import io.netty.buffer.ByteBuf;

/** Receives one stream's events, always on its connection's event loop. */
public interface StreamHandler {
  /** Data from the peer; {@code data} is valid only during the call. */
  void onData(YamuxStream stream, ByteBuf data);

  /** The peer closed its write side (FIN); the stream may still be written to. */
  default void onRemoteClose(YamuxStream stream) {}

  /** The stream was reset (by either side) or its connection closed. */
  default void onReset(YamuxStream stream) {}
}
