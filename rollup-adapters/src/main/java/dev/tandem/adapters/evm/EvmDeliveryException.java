package dev.tandem.adapters.evm;

/** Delivery to the rollup's execution client failed: rejected, unreachable, or not executed in time. */
public class EvmDeliveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EvmDeliveryException(String message) {
    super(message);
  }

  public EvmDeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
