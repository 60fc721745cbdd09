package dev.tandem.da.celestia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CelestiaNamespaceTest {
  @Test
  void mapsTheTandemNamespaceIntoTheLastEightBytesBehindThePrefix() {
    CelestiaNamespace namespace = CelestiaNamespace.of(0x5444, 0x0102030405060708L);
    assertThat(HexFormat.of().formatHex(namespace.bytes()))
        .isEqualTo("00" + "00".repeat(18) + "5444" + "0102030405060708");
    assertThat(namespace.prefix()).isEqualTo(0x5444);
    assertThat(namespace.tandemNamespace()).isEqualTo(0x0102030405060708L);
  }

  @Test
  void roundTripsThroughBytesAndBase64IncludingTheLargestUnsignedNamespace() {
    for (long tandem : new long[] {0, 1, 255, 256, 900, Long.MAX_VALUE, -1L}) {
      CelestiaNamespace namespace = CelestiaNamespace.of(0xFFFF, tandem);
      CelestiaNamespace decoded = CelestiaNamespace.fromBase64(namespace.base64());
      assertThat(decoded).isEqualTo(namespace);
      assertThat(new CelestiaNamespace(namespace.bytes()).tandemNamespace()).isEqualTo(tandem);
      assertThat(decoded.prefix()).isEqualTo(0xFFFF);
    }
  }

  @Test
  void prefixZeroWorksAboveTheReservedRange() {
    assertThat(CelestiaNamespace.of(0, 256).tandemNamespace()).isEqualTo(256);
    assertThatThrownBy(() -> CelestiaNamespace.of(0, 255))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved")
        .hasMessageContaining("non-zero namespace prefix");
    assertThatThrownBy(() -> CelestiaNamespace.of(0, 1)).hasMessageContaining("reserved");
  }

  @Test
  void rejectsNamespacesThatAreNotVersionZeroBlobNamespaces() {
    byte[] good = CelestiaNamespace.of(1, 7).bytes();
    assertThatThrownBy(() -> new CelestiaNamespace(new byte[28])).hasMessageContaining("29 bytes, got 28");
    assertThatThrownBy(() -> new CelestiaNamespace(null)).hasMessageContaining("got none");
    byte[] versionOne = good.clone();
    versionOne[0] = 1;
    assertThatThrownBy(() -> new CelestiaNamespace(versionOne)).hasMessageContaining("version 1");
    byte[] parity = new byte[29];
    java.util.Arrays.fill(parity, (byte) 0xFF);
    assertThatThrownBy(() -> new CelestiaNamespace(parity)).hasMessageContaining("version 255");
    byte[] nonZeroPadding = good.clone();
    nonZeroPadding[5] = 9;
    assertThatThrownBy(() -> new CelestiaNamespace(nonZeroPadding)).hasMessageContaining("18 zero bytes")
        .hasMessageContaining("byte 5");
    assertThatThrownBy(() -> CelestiaNamespace.of(-1, 7)).hasMessageContaining("prefix must be 0 to 65535");
    assertThatThrownBy(() -> CelestiaNamespace.of(0x10000, 7)).hasMessageContaining("prefix must be 0 to 65535");
    assertThatThrownBy(() -> CelestiaNamespace.fromBase64("not base64!")).hasMessageContaining("not a Celestia namespace");
    assertThatThrownBy(() -> CelestiaNamespace.fromBase64(Base64.getEncoder().encodeToString(new byte[10])))
        .hasMessageContaining("29 bytes, got 10");
  }

  @Test
  void holdsACopyOfItsBytes() {
    byte[] bytes = CelestiaNamespace.of(1, 7).bytes();
    CelestiaNamespace namespace = new CelestiaNamespace(bytes);
    bytes[28] = 99;
    namespace.bytes()[28] = 98;
    assertThat(namespace.tandemNamespace()).isEqualTo(7);
  }
}
