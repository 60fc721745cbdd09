package dev.tandem.adapters.evm;

/**
 * The execution client refused a transaction (bad nonce, insufficient funds, fee too low, ...):
 * unlike an unreachable node, sending it again will not help.
 */
public final class TransactionRejectedException extends EvmDeliveryException {
  private static final long serialVersionUID = 1L;

  private final String hash;
  private final String nodeMessage;

  public TransactionRejectedException(String hash, String nodeMessage) {
    super("node rejected transaction " + hash + ": " + nodeMessage);
    this.hash = hash;
    this.nodeMessage = nodeMessage;
  }

  public String hash() {
    return hash;
  }

  /** The node's error message, as it sent it. */
  public String nodeMessage() {
    return nodeMessage;
  }
}
