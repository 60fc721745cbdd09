package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import dev.tandem.node.ordering.OrderingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules validators vote by, on a context that records which signatures it was asked to check. */
class BlockValidityTest {
  private static final long CHAIN = 5;
  private static final long MAX_BYTES = 1 << 20;

  private final Random random = new Random(8);
  private final KeyPair proposer = KeyPair.generate(random);
  private final Set<Hash> verifiedBefore = new HashSet<>();
  private final List<List<Transaction>> checkedTogether = new ArrayList<>();
  private final OrderingContext context = new OrderingContext() {
    @Override
    public long chainId() {
      return CHAIN;
    }

    @Override
    public Optional<BlockHeader> lastFinalized() {
      return Optional.empty();
    }

    @Override
    public List<Transaction> orderable(int maxTxs, long maxBytes) {
      return List.of();
    }

    @Override
    public void finalize(Block block, byte[] certificate) {}

    @Override
    public boolean hasVerifiedSignature(Transaction tx) {
      return verifiedBefore.contains(tx.id());
    }

    @Override
    public boolean[] verifySignatures(List<Transaction> transactions) {
      checkedTogether.add(List.copyOf(transactions));
      return Transaction.haveValidSignatures(transactions);
    }
  };

  private Transaction tx(int nonce) {
    return Transaction.sign(CHAIN, Namespace.of(4), nonce, 10, new byte[] {(byte) nonce}, KeyPair.generate(random));
  }

  private static Transaction forged(Transaction tx) {
    byte[] bytes = tx.encode();
    bytes[bytes.length - 1] ^= 1;
    return Transaction.decode(bytes);
  }

  private Verification check(List<Transaction> txs) {
    Block block = Block.build(CHAIN, 7, Hash.ZERO, 1_000, proposer.publicKey(), txs);
    return BlockValidity.check(block, CHAIN, MAX_BYTES, Set.of(), Set.of(), context);
  }

  @Test
  void signaturesNotVerifiedBeforeAreCheckedTogetherAfterTheCheapRules() {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      txs.add(tx(i));
    }
    verifiedBefore.add(txs.get(1).id());
    verifiedBefore.add(txs.get(4).id());
    assertThat(check(txs).valid()).isTrue();
    assertThat(checkedTogether).hasSize(1);
    assertThat(checkedTogether.get(0)).hasSize(4).doesNotContain(txs.get(1), txs.get(4));
  }

  @Test
  void aBadSignatureAmongGoodOnesMakesTheBlockInvalidAndNamesIt() {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      txs.add(tx(i));
    }
    Transaction bad = forged(txs.get(5));
    txs.set(5, bad);
    Verification verdict = check(txs);
    assertThat(verdict.valid()).isFalse();
    assertThat(verdict.reason()).isEqualTo("transaction " + bad.id() + " has a bad signature");
  }

  @Test
  void aBlockThatBreaksACheapRuleCostsNoSignatureCheck() {
    Transaction once = tx(0);
    Transaction bad = forged(tx(1));
    Verification verdict = check(List.of(once, bad, once));
    assertThat(verdict.valid()).isFalse();
    assertThat(verdict.reason()).contains("already in the chain");
    assertThat(checkedTogether).isEmpty();
  }
}
