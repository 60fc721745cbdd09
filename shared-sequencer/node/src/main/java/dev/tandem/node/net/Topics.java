package dev.tandem.node.net;

/** Gossip topic names; every topic carries the chain id so that networks never mix. */
public final class Topics {
  private Topics() {}

  /**
   * Batches of encoded transactions ({@code TxGossip}'s batch encoding), without the libp2p envelope
   * signature (StrictNoSign): {@code /tandem/<chainId>/txs/3}. Version 2 signed every envelope;
   * version 1 ({@code /tx/1}) carried one transaction per message.
   */
  public static String transactionBatches(long chainId) {
    return "/tandem/" + chainId + "/txs/3";
  }
}
