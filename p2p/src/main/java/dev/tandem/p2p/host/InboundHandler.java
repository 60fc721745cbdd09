package dev.tandem.p2p.host;

import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;

/** Serves one protocol: called (on the event loop) for each inbound stream that negotiated it. */
@FunctionalInterface
public interface InboundHandler {
  StreamHandler accept(Connection connection, YamuxStream stream);
}
