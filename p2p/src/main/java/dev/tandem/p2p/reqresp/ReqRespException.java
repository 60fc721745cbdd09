package dev.tandem.p2p.reqresp;

/** A request failed: the peer answered with an error, broke the protocol, or was unreachable. */
public class ReqRespException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReqRespException(String message) {
    super(message);
  }
}
