package dev.tandem.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HexTest {
  @Test
  void encodesAndDecodesLikeEthereum() {
    assertThat(Hex.encode(new byte[] {0, (byte) 0xab, 0x10})).isEqualTo("0x00ab10");
    assertThat(Hex.decode("0x00AB10")).containsExactly(0, 0xab, 0x10);
    assertThat(Hex.decode("0x")).isEmpty();
    assertThat(Hex.quantity(0)).isEqualTo("0x0");
    assertThat(Hex.quantity(26)).isEqualTo("0x1a");
    assertThat(Hex.parseQuantity("0x1a")).isEqualTo(26);
    assertThat(Hex.parseQuantity("26")).isEqualTo(26);
  }

  @Test
  void rejectsMalformedHex() {
    assertThatThrownBy(() -> Hex.decode("0x123")).hasMessageContaining("odd");
    assertThatThrownBy(() -> Hex.decode("0xzz")).hasMessageContaining("invalid hex");
    assertThatThrownBy(() -> Hex.decode("0x" + "00".repeat(33), 32)).hasMessageContaining("longer");
    assertThatThrownBy(() -> Hex.parseQuantity("0xffffffffffffffff")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Hex.parseQuantity("abc")).isInstanceOf(DecodingException.class);
  }

  @Test
  void parsesNamespaces() {
    assertThat(Namespace.parse("0x2a")).isEqualTo(Namespace.of(42));
    assertThat(Namespace.parse("42")).isEqualTo(Namespace.of(42));
    assertThat(Namespace.of(42).toHex()).isEqualTo("0x000000000000002a");
    assertThatThrownBy(() -> Namespace.parse("0x")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Namespace.parse("-1")).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Namespace.parse("0x" + "1".repeat(17))).isInstanceOf(DecodingException.class);
  }
}
