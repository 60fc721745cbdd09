package dev.tandem.node.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SingleNodeOrderingTest {
  private final KeyPair proposer = KeyPair.generate(new Random(41));
  private final KeyPair sender = KeyPair.generate(new Random(42));

  /** A fake node: a list as the mempool, a list as the log. */
  private final class FakeContext implements OrderingContext {
    final List<Transaction> pending = new ArrayList<>();
    final List<Block> log = new ArrayList<>();

    @Override
    public long chainId() {
      return 5;
    }

    @Override
    public Optional<BlockHeader> lastFinalized() {
      return log.isEmpty() ? Optional.empty() : Optional.of(log.get(log.size() - 1).header());
    }

    @Override
    public List<Transaction> orderable(int maxTxs, long maxBytes) {
      List<Transaction> out = new ArrayList<>();
      long bytes = 0;
      for (Transaction tx : pending) {
        if (out.size() == maxTxs || bytes + tx.encodedLength() > maxBytes) {
          break;
        }
        out.add(tx);
        bytes += tx.encodedLength();
      }
      return out;
    }

    @Override
    public void finalize(Block block, byte[] certificate) {
      log.add(block);
      pending.removeAll(block.transactions());
    }
  }

  @Test
  void cutsLinkedBlocksWithinLimitsAndMonotonicTimestamps() {
    FakeContext context = new FakeContext();
    for (int i = 0; i < 5; i++) {
      context.pending.add(Transaction.sign(5, Namespace.of(9 - i), i, 0, new byte[10], sender));
    }
    AtomicLong clock = new AtomicLong(1_000);
    SingleNodeOrdering ordering = new SingleNodeOrdering(proposer, Duration.ofHours(1), 2, 1 << 20, clock::get);
    ordering.start(context);
    try {
      Block first = ordering.cutBlock().orElseThrow();
      clock.set(500); // the wall clock steps back
      Block second = ordering.cutBlock().orElseThrow();
      ordering.cutBlock().orElseThrow();
      assertThat(ordering.cutBlock()).isEmpty();

      assertThat(context.log).hasSize(3);
      assertThat(first.height()).isEqualTo(1);
      assertThat(first.header().parentHash()).isEqualTo(Hash.ZERO);
      assertThat(first.header().proposer()).isEqualTo(proposer.publicKey());
      assertThat(first.transactions()).hasSize(2);
      assertThat(second.header().parentHash()).isEqualTo(first.hash());
      assertThat(second.header().timestampMillis()).isEqualTo(1_000);
      assertThat(context.log.get(2).transactions()).hasSize(1);
    } finally {
      ordering.close();
    }
  }

  @Test
  void blockBytesLimitLeavesRoomForTheHeader() {
    FakeContext context = new FakeContext();
    Transaction tx = Transaction.sign(5, Namespace.of(1), 0, 0, new byte[100], sender);
    context.pending.add(tx);
    long exact = BlockHeader.ENCODED_LENGTH + 4 + tx.encodedLength();
    SingleNodeOrdering tight = new SingleNodeOrdering(proposer, Duration.ofHours(1), 10, exact - 1, () -> 1);
    tight.start(context);
    assertThat(tight.cutBlock()).isEmpty();
    tight.close();
    SingleNodeOrdering fits = new SingleNodeOrdering(proposer, Duration.ofHours(1), 10, exact, () -> 1);
    fits.start(context);
    assertThat(fits.cutBlock().orElseThrow().encode()).hasSize((int) exact);
    fits.close();
  }
}
