package dev.tandem.node.net;

/** Gossip topic names; every topic carries the chain id so that networks never mix. */
public final class Topics {
  private Topics() {}

  /** Encoded transactions: {@code /tandem/<chainId>/tx/1}. */
  public static String transactions(long chainId) {
    return "/tandem/" + chainId + "/tx/1";
  }
}
