package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testsupport.AnvilProcess;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

class JsonRpcL2EngineViewTest {
  private static int selector(String signature) {
    return ByteBuffer.wrap(Hash.sha3(signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).getInt();
  }

  @Test
  void selectorsAreThoseOfTheL1BlockContract() {
    assertThat(JsonRpcL2EngineView.BEDROCK_SELECTOR)
        .isEqualTo(selector("setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)"));
    assertThat(JsonRpcL2EngineView.ECOTONE_SELECTOR).isEqualTo(selector("setL1BlockValuesEcotone()"));
    assertThat(JsonRpcL2EngineView.ISTHMUS_SELECTOR).isEqualTo(selector("setL1BlockValuesIsthmus()"));
  }

  @Test
  void decodesTheL1OriginOfEachCalldataLayout() {
    byte[] hash = new byte[32];
    Arrays.fill(hash, (byte) 0xAB);
    ByteBuffer bedrock = ByteBuffer.allocate(4 + 8 * 32).putInt(JsonRpcL2EngineView.BEDROCK_SELECTOR);
    bedrock.position(4 + 24).putLong(19_000_123L).position(4 + 96).put(hash);
    JsonRpcL2EngineView.L1Origin a = JsonRpcL2EngineView.l1Origin(bedrock.array());
    assertThat(a.number()).isEqualTo(19_000_123L);
    assertThat(a.hash()).isEqualTo(hash);

    ByteBuffer ecotone = ByteBuffer.allocate(164).putInt(JsonRpcL2EngineView.ECOTONE_SELECTOR)
        .putInt(1).putInt(2).putLong(3).putLong(1_700_000_000L).putLong(20_000_456L);
    ecotone.position(100).put(hash);
    JsonRpcL2EngineView.L1Origin b = JsonRpcL2EngineView.l1Origin(ecotone.array());
    assertThat(b.number()).isEqualTo(20_000_456L);
    assertThat(b.hash()).isEqualTo(hash);

    assertThatThrownBy(() -> JsonRpcL2EngineView.l1Origin(Arrays.copyOf(ecotone.array(), 120)))
        .hasMessageContaining("shorter than 164");
    assertThatThrownBy(() -> JsonRpcL2EngineView.l1Origin(new byte[] {1, 2, 3, 4, 5}))
        .hasMessageContaining("unknown L1 attributes selector 0x01020304");
    assertThatThrownBy(() -> JsonRpcL2EngineView.l1Origin(new byte[] {1}))
        .hasMessageContaining("no selector");
  }

  /** anvil is no OP Stack engine: its blocks carry no L1 attributes deposit, and it has no future blocks. */
  @Test
  void aNonOpEngineAndAMissingBlockAreClearErrors() {
    try (AnvilProcess anvil = AnvilProcess.start(31_950)) {
      JsonRpcL2EngineView view = new JsonRpcL2EngineView(URI.create(anvil.rpcUrl()), Duration.ofSeconds(10));
      assertThatThrownBy(() -> view.blockAttributes(0)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("does not start with an L1 attributes deposit");
      assertThatThrownBy(() -> view.blockAttributes(1_000)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("has no block 1000 yet");
    }
  }
}
