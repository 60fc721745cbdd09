package dev.tandem.adapters.generic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.Block;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GenericBatchTest {
  private static final Namespace ROLLUP = Namespace.of(900);
  private final KeyPair key = KeyPair.generate(new Random(2));

  private List<Block> chain(int blocks) {
    List<Block> chain = new ArrayList<>();
    Hash parent = Hash.ZERO;
    long nonce = 0;
    for (int h = 1; h <= blocks; h++) {
      List<Transaction> txs = new ArrayList<>();
      for (int i = 0; i < h % 4; i++) {
        txs.add(Transaction.sign(1, ROLLUP, ++nonce, 0, new byte[] {(byte) h, (byte) i}, key));
        txs.add(Transaction.sign(1, Namespace.of(7), nonce, 0, new byte[] {1}, key));
      }
      Block block = Block.build(1, h, parent, 1000L * h, key.publicKey(), txs);
      chain.add(block);
      parent = block.hash();
    }
    return chain;
  }

  private GenericBatch batchOf(List<Block> blocks) {
    List<GenericBatch.Entry> entries = new ArrayList<>();
    for (Block block : blocks) {
      entries.add(GenericBatch.Entry.of(block.header(), block.slice(ROLLUP), new byte[0]));
    }
    return new GenericBatch(ROLLUP, blocks.get(0).height(), entries);
  }

  @Test
  void roundTripsAndVerifies() {
    GenericBatch batch = batchOf(chain(6));
    GenericBatch decoded = GenericBatch.decode(batch.encode());
    assertThat(decoded.verify().valid()).isTrue();
    assertThat(decoded.lastHeight()).isEqualTo(6);
    assertThat(decoded.key()).isEqualTo(batch.key());
    assertThat(decoded.transactionCount()).isEqualTo(batch.transactionCount()).isPositive();
    assertThat(decoded.encode()).isEqualTo(batch.encode());
  }

  @Test
  void detectsDroppedReorderedAndForeignTransactions() {
    List<Block> blocks = chain(4);
    GenericBatch honest = batchOf(blocks);
    GenericBatch.Entry full = honest.entries().get(2); // height 3: three rollup txs

    List<Transaction> dropped = new ArrayList<>(full.transactions());
    dropped.remove(1);
    assertThat(replace(honest, 2, dropped).verify().valid()).isFalse();

    List<Transaction> reordered = new ArrayList<>(full.transactions());
    Collections.swap(reordered, 0, 2);
    assertThat(replace(honest, 2, reordered).verify().valid()).isFalse();

    List<Transaction> added = new ArrayList<>(full.transactions());
    added.add(Transaction.sign(1, ROLLUP, 99, 0, new byte[] {5}, key));
    assertThat(replace(honest, 2, added).verify().valid()).isFalse();
  }

  @Test
  void detectsGapsInTheHeightRange() {
    List<Block> blocks = chain(4);
    List<Block> gap = List.of(blocks.get(0), blocks.get(2));
    assertThat(batchOf(gap).verify().reason()).contains("expected 2");
  }

  @Test
  void rejectsTruncatedAndCorruptEncodings() {
    byte[] encoded = batchOf(chain(3)).encode();
    for (int length = 0; length < encoded.length; length += 7) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> GenericBatch.decode(truncated)).isInstanceOf(DecodingException.class);
    }
    byte[] badMagic = encoded.clone();
    badMagic[0] = 'X';
    assertThatThrownBy(() -> GenericBatch.decode(badMagic)).hasMessageContaining("magic");
  }

  private static GenericBatch replace(GenericBatch batch, int index, List<Transaction> txs) {
    List<GenericBatch.Entry> entries = new ArrayList<>(batch.entries());
    GenericBatch.Entry old = entries.get(index);
    entries.set(index, new GenericBatch.Entry(old.header(), old.proof(), old.certificate(), txs));
    return new GenericBatch(batch.namespace(), batch.firstHeight(), entries);
  }
}
