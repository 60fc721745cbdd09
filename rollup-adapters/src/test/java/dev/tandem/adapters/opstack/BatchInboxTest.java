package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class BatchInboxTest {

  @Test
  void publishedInboxAddresses() {
    int checked = 0;
    for (String[] row : Vectors.rows("inbox-addresses.txt")) {
      String[] parts = row[0].split("\\s+");
      assertThat(BatchInbox.addressHex(Long.parseLong(parts[0]))).isEqualTo(parts[1]);
      checked++;
    }
    assertThat(checked).isPositive();
  }

  @Test
  void addressStartsWithVersionZeroAndDiffersPerChain() {
    byte[] a = BatchInbox.address(BigInteger.valueOf(10));
    byte[] b = BatchInbox.address(BigInteger.valueOf(11));
    assertThat(a).hasSize(20).startsWith(0);
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void rejectsChainIdsOutsideUint256() {
    assertThatThrownBy(() -> BatchInbox.address(BigInteger.ONE.negate()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BatchInbox.address(BigInteger.ONE.shiftLeft(256)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
