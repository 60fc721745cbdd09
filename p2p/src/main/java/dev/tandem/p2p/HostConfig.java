package dev.tandem.p2p;

import dev.tandem.p2p.gossip.GossipConfig;
import dev.tandem.p2p.host.Limits;

/**
 * Everything a {@link Libp2pHost} needs.
 *
 * @param identity the node's Ed25519 identity key
 * @param listenAddress e.g. {@code /ip4/127.0.0.1/tcp/0} (port 0 picks a free port)
 * @param gossip gossipsub parameters
 * @param limits connection and stream limits
 * @param ioThreads Netty event-loop threads for this host
 * @param agentVersion sent over identify
 */
public record HostConfig(Identity identity, Multiaddr listenAddress, GossipConfig gossip, Limits limits,
    int ioThreads, String agentVersion) {

  /** Defaults for everything but the identity and the listen address. */
  public static HostConfig defaults(Identity identity, Multiaddr listenAddress) {
    return new HostConfig(identity, listenAddress, GossipConfig.defaults(), Limits.defaults(), 1, "tandem/0.1.0");
  }

  public HostConfig withGossip(GossipConfig gossip) {
    return new HostConfig(identity, listenAddress, gossip, limits, ioThreads, agentVersion);
  }

  public HostConfig withLimits(Limits limits) {
    return new HostConfig(identity, listenAddress, gossip, limits, ioThreads, agentVersion);
  }
}
