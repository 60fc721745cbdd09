package dev.tandem.bench.ordering;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Turns payloads into signed Tandem transactions the way a client does: {@value #SENDERS} senders
 * in turn, each with its own nonce sequence, over eight namespaces. Both the Tandem cluster and the
 * signed Ratis baseline send these, so the two order the same bytes.
 *
 * <p>A client signs on its own machine, not on the sequencers'; in the benchmark it shares theirs.
 * {@link #prepare} signs a load's payloads before the load starts, so that the measured CPU is the
 * sequencers'; {@link #sign} then hands them out in order, and signs at once a payload that was not
 * prepared.
 */
final class SignedPayloads {
  static final long CHAIN = 7_777;
  static final int SENDERS = 256;

  private final List<KeyPair> senders = new ArrayList<>();
  private final long[] nextNonce = new long[SENDERS];
  private long nextSender;
  private final ArrayDeque<Signed> prepared = new ArrayDeque<>();

  SignedPayloads(Random random) {
    for (int s = 0; s < SENDERS; s++) {
      senders.add(KeyPair.generate(random));
    }
  }

  /** A signed transaction carrying {@code payload}, and which sender signed it. */
  record Signed(Transaction tx, int sender, byte[] payload) {}

  private record Slot(int sender, long nonce) {}

  /**
   * Signs {@code payloads} ahead, in order (on every core: nothing else runs yet). What the last
   * preparation left unsent is dropped and its nonces are used again.
   */
  void prepare(List<byte[]> payloads) {
    List<Slot> slots = new ArrayList<>(payloads.size());
    synchronized (this) {
      dropPrepared();
      for (int i = 0; i < payloads.size(); i++) {
        slots.add(nextSlot());
      }
    }
    Signed[] signed = new Signed[payloads.size()];
    IntStream.range(0, payloads.size()).parallel().forEach(i -> signed[i] = sign(slots.get(i), payloads.get(i)));
    synchronized (this) {
      prepared.addAll(List.of(signed));
    }
  }

  /** The prepared transaction for {@code payload} if it is the next one prepared, else one signed now. */
  Signed sign(byte[] payload) {
    Slot slot;
    synchronized (this) {
      Signed next = prepared.peekFirst();
      if (next != null && next.payload() == payload) {
        return prepared.pollFirst();
      }
      dropPrepared(); // sent out of order, the prepared nonces would leave gaps
      slot = nextSlot();
    }
    return sign(slot, payload);
  }

  private Slot nextSlot() {
    int s = (int) (nextSender++ % SENDERS);
    return new Slot(s, nextNonce[s]++);
  }

  /** Unsent prepared transactions hold each sender's highest nonces: hand those out again. */
  private void dropPrepared() {
    for (Signed unsent : prepared) {
      nextNonce[unsent.sender()] = Math.min(nextNonce[unsent.sender()], unsent.tx().nonce());
    }
    prepared.clear();
  }

  private Signed sign(Slot slot, byte[] payload) {
    int s = slot.sender();
    return new Signed(Transaction.sign(CHAIN, Namespace.of(1 + s % 8), slot.nonce(), 1_000_000, payload,
        senders.get(s)), s, payload);
  }
}
