package dev.tandem.p2p;

/** Told when the first connection to a peer opens and when its last one closes. */
public interface PeerListener {
  void onConnected(PeerId peer);

  void onDisconnected(PeerId peer);
}
