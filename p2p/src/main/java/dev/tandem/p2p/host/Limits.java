package dev.tandem.p2p.host;

import java.time.Duration;

/**
 * Resource limits that keep a misbehaving peer from taking a node down.
 *
 * @param maxConnections connections beyond this are refused
 * @param maxInboundStreamsPerConnection concurrent streams a peer may open; more are reset
 * @param maxPendingWriteBytes per-stream queue of bytes waiting for the peer's window; the stream
 *     is reset beyond it
 * @param handshakeTimeout time from TCP connect to an established yamux session
 * @param streamNegotiationTimeout time for multistream-select on a new stream
 */
public record Limits(int maxConnections, int maxInboundStreamsPerConnection, long maxPendingWriteBytes,
    Duration handshakeTimeout, Duration streamNegotiationTimeout) {

  public static Limits defaults() {
    return new Limits(256, 256, 16L * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10));
  }
}
