package dev.tandem.node.net;

/** Gossip topic names; every topic carries the chain id so that networks never mix. */
public final class Topics {
  private Topics() {}

  /**
   * Batches of encoded transactions ({@code TxGossip}'s batch encoding): {@code /tandem/<chainId>/txs/2}.
   * Version 1 ({@code /tx/1}, one transaction per message) is no longer used.
   */
  public static String transactionBatches(long chainId) {
    return "/tandem/" + chainId + "/txs/2";
  }
}
