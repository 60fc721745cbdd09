package dev.tandem.p2p.reqresp;

import dev.tandem.p2p.PeerId;
import java.util.concurrent.CompletableFuture;

/** Answers one request; a failed future becomes an error response to the requester. */
@FunctionalInterface
public interface RequestHandler {
  CompletableFuture<byte[]> handle(PeerId from, byte[] request);
}
