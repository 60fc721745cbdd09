package dev.tandem.bench.ordering;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns payloads into signed Tandem transactions the way a client does: {@value #SENDERS} senders
 * in turn, each with its own nonce sequence, over eight namespaces. Both the Tandem cluster and the
 * signed Ratis baseline send these, so the two order the same bytes.
 */
final class SignedPayloads {
  static final long CHAIN = 7_777;
  static final int SENDERS = 256;

  private final List<KeyPair> senders = new ArrayList<>();
  private final long[] nextNonce = new long[SENDERS];
  private final AtomicLong nextSender = new AtomicLong();

  SignedPayloads(Random random) {
    for (int s = 0; s < SENDERS; s++) {
      senders.add(KeyPair.generate(random));
    }
  }

  /** A signed transaction carrying {@code payload}, and which sender signed it. */
  record Signed(Transaction tx, int sender) {}

  Signed sign(byte[] payload) {
    int s = (int) (nextSender.getAndIncrement() % SENDERS);
    long nonce;
    synchronized (nextNonce) {
      nonce = nextNonce[s]++;
    }
    return new Signed(Transaction.sign(CHAIN, Namespace.of(1 + s % 8), nonce, 1_000_000, payload, senders.get(s)),
        s);
  }
}
