package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SingularBatchTest {

  @Test
  void handDerivedSpecVectors() {
    List<String[]> rows = Vectors.rows("singular-batch-vectors.txt");
    assertThat(rows).hasSize(2);
    for (String[] row : rows) {
      List<byte[]> txs = row[4].equals("-") ? List.of()
          : Arrays.stream(row[4].split(",")).map(Vectors::hex).toList();
      SingularBatch batch = new SingularBatch(Vectors.bytes(row[0]), Long.parseLong(row[1]),
          Vectors.bytes(row[2]), Long.parseLong(row[3]), txs);
      byte[] expected = Vectors.bytes(row[5]);
      assertThat(batch.encode()).isEqualTo(expected);
      assertThat(OpBatch.decode(expected)).isEqualTo(batch);
    }
  }

  @Property(tries = 200)
  void roundTrip(@ForAll("batches") SingularBatch batch) {
    byte[] encoded = batch.encode();
    assertThat(encoded[0]).isEqualTo((byte) 0);
    assertThat(OpBatch.decode(encoded)).isEqualTo(batch);
  }

  @Provide
  Arbitrary<SingularBatch> batches() {
    Arbitrary<byte[]> hash = Arbitraries.bytes().array(byte[].class).ofSize(32);
    Arbitrary<Long> number = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<List<byte[]>> txs = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)
        .list().ofMaxSize(20);
    return net.jqwik.api.Combinators.combine(hash, number, hash, number, txs).as(SingularBatch::new);
  }

  @Test
  void rejectsMalformedBatches() {
    SingularBatch batch = new SingularBatch(new byte[32], 7, new byte[32], 99, List.of(new byte[] {1, 2}));
    byte[] good = batch.encode();

    assertThatThrownBy(() -> OpBatch.decode(new byte[0])).hasMessageContaining("empty");
    byte[] unknown = good.clone();
    unknown[0] = 5;
    assertThatThrownBy(() -> OpBatch.decode(unknown)).hasMessageContaining("unknown batch version 5");
    byte[] span = good.clone();
    span[0] = 1;
    assertThatThrownBy(() -> OpBatch.decode(span)).isInstanceOf(OpStackDecodingException.class)
        .hasMessageContaining("span batch");

    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> OpBatch.decode(trailing)).hasMessageContaining("trailing");
    for (int cut = 1; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThatThrownBy(() -> OpBatch.decode(truncated)).isInstanceOf(OpStackDecodingException.class);
    }
  }

  @Test
  void rejectsNonCanonicalFields() {
    // a 31-byte parent hash
    byte[] shortHash = rlpBatch(List.of(Rlp.encodeString(new byte[31]), Rlp.encodeUint(1),
        Rlp.encodeString(new byte[32]), Rlp.encodeUint(1), Rlp.encodeList(List.of())));
    assertThatThrownBy(() -> OpBatch.decode(shortHash)).hasMessageContaining("parent_hash: expected 32 bytes");
    // epoch number 1 written with a leading zero
    byte[] leadingZero = rlpBatch(List.of(Rlp.encodeString(new byte[32]), new byte[] {(byte) 0x82, 0, 1},
        Rlp.encodeString(new byte[32]), Rlp.encodeUint(1), Rlp.encodeList(List.of())));
    assertThatThrownBy(() -> OpBatch.decode(leadingZero)).hasMessageContaining("leading zero");
    // the single byte 0x05 written as a one-byte string
    byte[] nonCanonicalByte = rlpBatch(List.of(Rlp.encodeString(new byte[32]), new byte[] {(byte) 0x81, 5},
        Rlp.encodeString(new byte[32]), Rlp.encodeUint(1), Rlp.encodeList(List.of())));
    assertThatThrownBy(() -> OpBatch.decode(nonCanonicalByte)).hasMessageContaining("non-canonical");
    // a sixth field
    byte[] sixFields = rlpBatch(List.of(Rlp.encodeString(new byte[32]), Rlp.encodeUint(1),
        Rlp.encodeString(new byte[32]), Rlp.encodeUint(1), Rlp.encodeList(List.of()), Rlp.encodeUint(3)));
    assertThatThrownBy(() -> OpBatch.decode(sixFields)).hasMessageContaining("more than 5 fields");
    // transactions as a string instead of a list
    byte[] txString = rlpBatch(List.of(Rlp.encodeString(new byte[32]), Rlp.encodeUint(1),
        Rlp.encodeString(new byte[32]), Rlp.encodeUint(1), Rlp.encodeString(new byte[] {1, 2})));
    assertThatThrownBy(() -> OpBatch.decode(txString)).hasMessageContaining("expected an RLP list");
  }

  private static byte[] rlpBatch(List<byte[]> fields) {
    byte[] list = Rlp.encodeList(new ArrayList<>(fields));
    byte[] typed = new byte[list.length + 1];
    System.arraycopy(list, 0, typed, 1, list.length);
    return typed;
  }
}
