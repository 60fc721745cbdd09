package dev.tandem.node.mempool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.store.LmdbNodeStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify once: a signature checked ahead of admission is not verified again, and only that exact signature. */
class TxValidatorTest {
  private static final long CHAIN = 7;
  private final TxValidator validator = new TxValidator(CHAIN, 1024, 1);
  private final KeyPair alice = KeyPair.generate(new Random(21));

  private Transaction tx(long nonce) {
    return Transaction.sign(CHAIN, Namespace.of(3), nonce, 100_000, new byte[] {4, 5, 6}, alice);
  }

  /** The same transaction id with the last signature byte flipped. */
  private static byte[] tampered(Transaction tx) {
    byte[] bytes = tx.encode();
    bytes[bytes.length - 1] ^= 1;
    return bytes;
  }

  private static RejectReason refusal(Runnable check) {
    AdmissionException e = catchThrowableOfType(AdmissionException.class, check::run);
    assertThat(e).as("expected a refusal").isNotNull();
    return e.reason();
  }

  /** {@link TxValidator#verifyAheadAll} of one transaction: whether its signature is good. */
  private boolean ahead(Transaction tx) {
    return validator.verifyAheadAll(List.of(tx))[0];
  }

  @Test
  void aSignatureCheckedAheadIsNotVerifiedAgainByItsAdmission() {
    Transaction good = tx(0);
    assertThat(ahead(good)).isTrue();
    long after = validator.verifications();
    validator.checkSignature(Transaction.decode(good.encode()));
    assertThat(validator.verifications()).isEqualTo(after);
    // Used once: a later check verifies again.
    validator.checkSignature(good);
    assertThat(validator.verifications()).isEqualTo(after + 1);
  }

  @Test
  void aSignatureConsensusVerifiedIsNotVerifiedAgainOnArrivalOrAdmission() {
    Transaction good = tx(0);
    assertThat(ahead(good)).isTrue(); // consensus checks it in a proposal
    long before = validator.verifications();
    assertThat(ahead(Transaction.decode(good.encode()))).isTrue();
    validator.checkSignature(good);
    assertThat(validator.verifications()).isEqualTo(before);
    assertThat(ahead(Transaction.decode(tampered(good)))).isFalse();
    before = validator.verifications();
    // A tampered copy under the same id is still verified, and refused.
    assertThat(ahead(Transaction.decode(tampered(good)))).isFalse();
    assertThat(validator.verifications()).isEqualTo(before + 1);
  }

  /**
   * A proposal and the gossip of its transactions often arrive together: the second thread to ask
   * waits for the first one's verdicts instead of checking the same signatures again.
   */
  @Test
  void twoThreadsCheckingTheSameTransactionsVerifyEachOnce() throws Exception {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      txs.add(Transaction.sign(CHAIN, Namespace.of(3), i, 100_000, new byte[] {(byte) i}, KeyPair.generate(new Random(i))));
    }
    txs.set(57, validator.decode(tampered(txs.get(57))));
    List<Transaction> reversed = new ArrayList<>(txs);
    java.util.Collections.reverse(reversed);
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<boolean[]> gossip = threads.submit(() -> {
        start.await();
        return validator.verifyAheadAll(txs);
      });
      Future<boolean[]> consensus = threads.submit(() -> {
        start.await();
        return validator.verifyAheadAll(reversed);
      });
      boolean[] first = gossip.get(60, TimeUnit.SECONDS);
      boolean[] second = consensus.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < txs.size(); i++) {
        assertThat(first[i]).as("transaction %s", i).isEqualTo(i != 57);
        assertThat(second[txs.size() - 1 - i]).as("transaction %s, second thread", i).isEqualTo(i != 57);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(validator.verifications()).isEqualTo(txs.size());
  }

  @Test
  void anotherSignatureUnderTheSameIdIsVerified() {
    Transaction good = tx(0);
    assertThat(ahead(good)).isTrue();
    Transaction forged = validator.decode(tampered(good));
    assertThat(forged.id()).isEqualTo(good.id());
    assertThat(refusal(() -> validator.checkSignature(forged))).isEqualTo(RejectReason.BAD_SIGNATURE);
    // The forgery did not use up the good transaction's entry.
    long before = validator.verifications();
    validator.checkSignature(good);
    assertThat(validator.verifications()).isEqualTo(before);
  }

  @Test
  void aBadSignatureCheckedAheadIsRefusedAndNotRemembered() {
    Transaction forged = validator.decode(tampered(tx(0)));
    assertThat(ahead(forged)).isFalse();
    assertThat(refusal(() -> validator.checkSignature(forged))).isEqualTo(RejectReason.BAD_SIGNATURE);
  }

  @Test
  void aBatchChecksOnlyWhatWasNotVerifiedAheadAndRemembersTheGoodOnes() {
    Transaction before = tx(0);
    assertThat(ahead(before)).isTrue();
    Transaction good = tx(1);
    Transaction forged = validator.decode(tampered(tx(2)));
    Transaction alsoGood = tx(3);
    Transaction otherSender = Transaction.sign(CHAIN, Namespace.of(3), 0, 100_000, new byte[] {7},
        KeyPair.generate(new Random(22)));
    long verifications = validator.verifications();
    assertThat(validator.verifyAheadAll(List.of(good, before, forged, alsoGood, otherSender)))
        .containsExactly(true, true, false, true, true);
    assertThat(validator.verifications()).isEqualTo(verifications + 4);
    for (Transaction tx : List.of(before, good, alsoGood, otherSender)) {
      validator.checkSignature(tx); // admissions: none verifies again
    }
    assertThat(validator.verifications()).isEqualTo(verifications + 4);
    // the forged one's verdict is kept for its admission, once
    assertThat(refusal(() -> validator.checkSignature(forged))).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(validator.verifications()).isEqualTo(verifications + 4);
    assertThat(refusal(() -> validator.checkSignature(forged))).isEqualTo(RejectReason.BAD_SIGNATURE);
    assertThat(validator.verifications()).isEqualTo(verifications + 5);
    // a good signature under the forged one's id is not refused by that verdict
    Transaction genuine = tx(2);
    assertThat(ahead(forged)).isFalse();
    validator.checkSignature(genuine);
  }

  @Test
  void theMempoolRefusesATamperedCopyOfATransactionCheckedAhead(@TempDir Path dir) {
    try (LmdbNodeStore store = LmdbNodeStore.open(dir, 64L << 20)) {
      Mempool mempool = new Mempool(store, validator, 10, 4);
      Transaction good = tx(0);
      assertThat(ahead(good)).isTrue();
      assertThat(refusal(() -> mempool.admit(tampered(good)))).isEqualTo(RejectReason.BAD_SIGNATURE);
      assertThat(mempool.get(good.id())).isEmpty();
      long before = validator.verifications();
      assertThat(mempool.admit(good.encode())).isEqualTo(good);
      assertThat(validator.verifications()).isEqualTo(before);
    }
  }
}
