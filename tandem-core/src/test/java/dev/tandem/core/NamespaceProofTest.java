package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class NamespaceProofTest {
  private static final KeyPair KEY = KeyPair.generate(new Random(5));

  private static Block randomBlock(Random random, int txCount, int namespaceCount) {
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < txCount; i++) {
      byte[] payload = new byte[random.nextInt(20)];
      random.nextBytes(payload);
      txs.add(Transaction.sign(1, Namespace.of(1 + random.nextInt(namespaceCount) * 3L), i, 1, payload, KEY));
    }
    return Block.build(1, 5, Hash.ZERO, 1000, KEY.publicKey(), txs);
  }

  private static List<byte[]> encoded(List<Transaction> txs) {
    List<byte[]> out = new ArrayList<>();
    txs.forEach(tx -> out.add(tx.encode()));
    return out;
  }

  @Property(tries = 200)
  void everyNamespaceSliceVerifiesAndIsComplete(@ForAll long seed, @ForAll @IntRange(min = 0, max = 40) int txCount,
      @ForAll @IntRange(min = 1, max = 6) int namespaceCount) {
    Random random = new Random(seed);
    Block block = randomBlock(random, txCount, namespaceCount);
    // Every namespace present, plus absent ones below, between and above the present ones.
    TreeSet<Long> probe = new TreeSet<>();
    for (long ns = 0; ns <= namespaceCount * 3L + 2; ns++) {
      probe.add(ns);
    }
    int covered = 0;
    for (long ns : probe) {
      NamespaceSlice slice = block.slice(Namespace.of(ns));
      assertThat(slice.verify(block.header()).valid()).as("namespace %d", ns).isTrue();
      for (Transaction tx : slice.transactions()) {
        assertThat(tx.namespace().id()).isEqualTo(ns);
      }
      covered += slice.transactions().size();
    }
    assertThat(covered).isEqualTo(txCount);
  }

  @Property(tries = 200)
  void droppingAddingOrReorderingIsDetected(@ForAll long seed, @ForAll @IntRange(min = 2, max = 40) int txCount) {
    Random random = new Random(seed);
    Block block = randomBlock(random, txCount, 3);
    Namespace ns = block.transactions().get(random.nextInt(txCount)).namespace();
    NamespaceSlice slice = block.slice(ns);
    List<byte[]> leaves = encoded(slice.transactions());
    Hash root = block.header().namespaceRoot();

    List<byte[]> dropped = new ArrayList<>(leaves);
    dropped.remove(random.nextInt(dropped.size()));
    assertThat(slice.proof().verify(root, txCount, ns, dropped).valid()).isFalse();

    List<byte[]> added = new ArrayList<>(leaves);
    added.add(Transaction.sign(1, ns, 999, 1, new byte[] {1}, KEY).encode());
    assertThat(slice.proof().verify(root, txCount, ns, added).valid()).isFalse();

    if (leaves.size() >= 2) {
      List<byte[]> reordered = new ArrayList<>(leaves);
      Collections.swap(reordered, 0, reordered.size() - 1);
      boolean identical = java.util.Arrays.equals(reordered.get(0), leaves.get(0));
      if (!identical) {
        assertThat(slice.proof().verify(root, txCount, ns, reordered).valid()).isFalse();
      }
    }
  }

  @Test
  void aProofWhoseRangeIsShrunkIsIncomplete() {
    Random random = new Random(3);
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      txs.add(Transaction.sign(1, Namespace.of(i < 4 ? 1 : 2), i, 1, new byte[] {(byte) i}, KEY));
    }
    Block block = Block.build(1, 1, Hash.ZERO, 0, KEY.publicKey(), txs);
    NamespaceMerkleTree tree = block.tree();
    // Honest proof for namespace 1 covers [0,4). Forge one covering [0,3) from the real tree:
    // the sibling for leaf 3 has namespace 1, so it must be caught as possibly hiding leaves.
    NamespaceProof honest = tree.prove(Namespace.of(1));
    assertThat(honest.start()).isEqualTo(0);
    assertThat(honest.end()).isEqualTo(4);
    List<NmtNode> forgedSiblings = new ArrayList<>();
    forgedSiblings.add(NmtNode.leaf(1, txs.get(3).encode()));
    forgedSiblings.addAll(honest.siblings());
    NamespaceProof forged = new NamespaceProof(0, 3, forgedSiblings);
    List<byte[]> firstThree = encoded(block.transactions().subList(0, 3));
    var result = forged.verify(block.header().namespaceRoot(), 8, Namespace.of(1), firstThree);
    assertThat(result.valid()).isFalse();
    assertThat(result.reason()).contains("incomplete");
  }

  @Test
  void emptyBlockProvesAbsence() {
    Block block = Block.build(1, 1, Hash.ZERO, 0, KEY.publicKey(), List.of());
    NamespaceSlice slice = block.slice(Namespace.of(9));
    assertThat(slice.transactions()).isEmpty();
    assertThat(slice.verify(block.header()).valid()).isTrue();
  }

  @Test
  void proofsRoundTripThroughTheirEncoding() {
    Block block = randomBlock(new Random(11), 25, 4);
    for (long ns = 0; ns < 14; ns++) {
      NamespaceProof proof = block.tree().prove(Namespace.of(ns));
      assertThat(NamespaceProof.decode(proof.encode())).isEqualTo(proof);
    }
  }

  @Test
  void blocksRoundTripAndRejectTamperedBodies() {
    Block block = randomBlock(new Random(12), 30, 4);
    Block decoded = Block.decode(block.encode());
    assertThat(decoded.hash()).isEqualTo(block.hash());
    assertThat(decoded.transactions()).isEqualTo(block.transactions());

    List<Transaction> swapped = new ArrayList<>(block.transactions());
    Collections.swap(swapped, 0, swapped.size() - 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Block.assemble(block.header(), swapped))
        .isInstanceOf(DecodingException.class);
    byte[] encoded = block.encode();
    for (int length : new int[] {0, 10, BlockHeader.ENCODED_LENGTH, BlockHeader.ENCODED_LENGTH + 4, encoded.length - 1}) {
      byte[] truncated = java.util.Arrays.copyOf(encoded, length);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Block.decode(truncated))
          .isInstanceOf(DecodingException.class);
    }
  }
}
