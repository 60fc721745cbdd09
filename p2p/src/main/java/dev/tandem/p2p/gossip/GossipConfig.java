package dev.tandem.p2p.gossip;

import java.time.Duration;
import java.util.function.Function;

/**
 * Gossipsub v1.1 parameters (names as in the spec).
 *
 * @param d target mesh degree
 * @param dLo below this the heartbeat grafts
 * @param dHi above this the heartbeat prunes
 * @param dLazy peers to send IHAVE gossip to per topic per heartbeat
 * @param heartbeatInterval mesh maintenance period
 * @param fanoutTtl how long a fanout set for an unsubscribed topic is kept after the last publish
 * @param historyLength heartbeats of messages kept for IWANT
 * @param historyGossip heartbeats of messages advertised in IHAVE
 * @param seenTtl how long a message id stays in the duplicate filter
 * @param pruneBackoff how long a pruned peer must not be re-grafted
 * @param maxRpcBytes largest RPC accepted from a peer (the stream is reset beyond it)
 * @param maxMessagesPerPeerPerSecond published messages a peer may send per second; excess is
 *     dropped and penalised
 * @param score peer scoring parameters
 * @param messageId message id function; the default is {@code from || seqno}
 */
public record GossipConfig(int d, int dLo, int dHi, int dLazy, Duration heartbeatInterval, Duration fanoutTtl,
    int historyLength, int historyGossip, Duration seenTtl, Duration pruneBackoff, int maxRpcBytes,
    int maxMessagesPerPeerPerSecond, ScoreParams score, Function<GossipMessage, byte[]> messageId) {

  /**
   * Peer scoring: invalid messages (P4, squared counter) and flooding (squared excess), decayed
   * each heartbeat. A peer whose score falls below {@code disconnectThreshold} is disconnected and
   * refused for {@code banDuration}.
   */
  public record ScoreParams(double invalidMessageWeight, double floodWeight, double graftBackoffWeight,
      double decay, double disconnectThreshold, Duration banDuration) {
    public static ScoreParams defaults() {
      return new ScoreParams(-10, -1, -10, 0.9, -100, Duration.ofMinutes(1));
    }
  }

  public GossipConfig {
    if (!(dLo <= d && d <= dHi) || dLazy < 0 || historyGossip > historyLength) {
      throw new IllegalArgumentException("inconsistent gossipsub degrees or history");
    }
  }

  public static GossipConfig defaults() {
    return new GossipConfig(6, 4, 12, 6, Duration.ofSeconds(1), Duration.ofMinutes(1), 5, 3,
        Duration.ofMinutes(2), Duration.ofMinutes(1), 1024 * 1024, 20_000, ScoreParams.defaults(),
        GossipMessage::defaultId);
  }

  public GossipConfig withHeartbeatInterval(Duration interval) {
    return new GossipConfig(d, dLo, dHi, dLazy, interval, fanoutTtl, historyLength, historyGossip, seenTtl,
        pruneBackoff, maxRpcBytes, maxMessagesPerPeerPerSecond, score, messageId);
  }

  public GossipConfig withScore(ScoreParams score) {
    return new GossipConfig(d, dLo, dHi, dLazy, heartbeatInterval, fanoutTtl, historyLength, historyGossip, seenTtl,
        pruneBackoff, maxRpcBytes, maxMessagesPerPeerPerSecond, score, messageId);
  }

  public GossipConfig withMessageId(Function<GossipMessage, byte[]> messageId) {
    return new GossipConfig(d, dLo, dHi, dLazy, heartbeatInterval, fanoutTtl, historyLength, historyGossip, seenTtl,
        pruneBackoff, maxRpcBytes, maxMessagesPerPeerPerSecond, score, messageId);
  }
}
