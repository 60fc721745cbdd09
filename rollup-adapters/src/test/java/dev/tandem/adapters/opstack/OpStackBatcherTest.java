package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OpStackBatcherTest {

  /** An engine with fixed answers: block n has parent hash [n,n,..], L1 origin n/6, timestamp 1000 + 2n. */
  static final L2EngineView ENGINE = n -> {
    byte[] parent = new byte[32];
    java.util.Arrays.fill(parent, (byte) n);
    byte[] epochHash = new byte[32];
    java.util.Arrays.fill(epochHash, (byte) (0x80 + n / 6));
    return new L2BlockAttributes(parent, n / 6, epochHash, 1000 + 2 * n);
  };

  static List<byte[]> transactions(int count, long seed) {
    Random random = new Random(seed);
    List<byte[]> txs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] tx = new byte[100 + random.nextInt(400)];
      random.nextBytes(tx);
      tx[0] = 0x02; // EIP-1559 type byte
      txs.add(tx);
    }
    return txs;
  }

  private static List<byte[]> flatten(List<OpBatch> batches) {
    List<byte[]> txs = new ArrayList<>();
    for (OpBatch batch : batches) {
      txs.addAll(((SingularBatch) batch).transactions());
    }
    return txs;
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void calldataReadsBackToTheSameTransactionsWithEngineAttributes(ChannelCompression compression) {
    OpStackBatcher batcher = new OpStackBatcher(new OpStackBatcher.Config(compression, 200_000, 5_000, 10, 3_000));
    List<byte[]> txs = transactions(300, 1);
    OpStackBatcher.Output out = batcher.calldata(42, txs, ENGINE);

    assertThat(out.payloads()).allSatisfy(p -> assertThat(p.length).isLessThanOrEqualTo(5_000));
    assertThat(out.payloads().size()).isGreaterThan(1);
    List<OpBatch> read = OpStackReader.fromCalldata(out.payloads(), 200_000);
    assertThat(read).containsExactlyElementsOf(out.batches());
    assertThat(flatten(read)).containsExactlyElementsOf(txs);
    for (int i = 0; i < read.size(); i++) {
      SingularBatch batch = (SingularBatch) read.get(i);
      L2BlockAttributes expected = ENGINE.blockAttributes(42 + i);
      assertThat(batch.parentHash()).isEqualTo(expected.parentHash());
      assertThat(batch.epochNumber()).isEqualTo(expected.epochNumber());
      assertThat(batch.epochHash()).isEqualTo(expected.epochHash());
      assertThat(batch.timestamp()).isEqualTo(expected.timestamp());
      assertThat(batch.transactionCount()).isLessThanOrEqualTo(10);
    }
    assertThat(out.nextBlockNumber()).isEqualTo(42 + read.size());
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void blobsReadBackToTheSameTransactions(ChannelCompression compression) {
    OpStackBatcher batcher = new OpStackBatcher(OpStackBatcher.Config.defaults().withCompression(compression));
    // Random bytes do not compress: about 600 kB spreads over several blobs.
    List<byte[]> txs = transactions(2_000, 2);
    OpStackBatcher.Output out = batcher.blobs(7, txs, ENGINE);
    assertThat(out.payloads().size()).isGreaterThanOrEqualTo(4);
    assertThat(out.payloads()).allSatisfy(b -> assertThat(b).hasSize(BlobCodec.BLOB_SIZE));
    assertThat(flatten(OpStackReader.fromBlobs(out.payloads(), ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK)))
        .containsExactlyElementsOf(txs);
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void spanBatchModeReadsBackToTheSameBlocks(ChannelCompression compression) {
    java.math.BigInteger chainId = java.math.BigInteger.valueOf(901);
    List<byte[]> txs = SpanBatchTest.mixedTransactions(40, 9);
    OpStackBatcher batcher = new OpStackBatcher(
        new OpStackBatcher.Config(compression, 8_000, 3_000, 7, 100_000).withSpanBatches(1000, chainId));
    OpStackBatcher.Output out = batcher.calldata(4, txs, ENGINE);
    List<OpBatch> read = OpStackReader.fromCalldata(out.payloads(), 8_000);
    assertThat(read).hasSizeGreaterThan(1).allSatisfy(b -> assertThat(b).isInstanceOf(SpanBatch.class));
    List<byte[]> readTxs = new ArrayList<>();
    int block = 4;
    for (OpBatch batch : read) {
      SpanBatch span = (SpanBatch) batch;
      assertThat(span.relTimestamp()).isEqualTo(ENGINE.blockAttributes(block).timestamp() - 1000);
      // block 4 has L1 origin 0 like block 3; later channels start where the origin may change
      boolean expectedChange = block == 4 ? false : (block / 6 != (block - 1) / 6);
      assertThat(span.originBits().get(0)).isEqualTo(expectedChange);
      span.blockTransactions(chainId).forEach(readTxs::addAll);
      block += span.blockCount();
    }
    assertThat(block).isEqualTo(out.nextBlockNumber());
    assertThat(readTxs).containsExactlyElementsOf(txs);
  }

  @Test
  void outputIsDeterministic() {
    OpStackBatcher zlib = new OpStackBatcher(OpStackBatcher.Config.defaults());
    OpStackBatcher brotli = new OpStackBatcher(OpStackBatcher.Config.defaults().withCompression(ChannelCompression.BROTLI));
    for (OpStackBatcher batcher : List.of(zlib, brotli)) {
      List<byte[]> a = batcher.calldata(5, transactions(50, 3), ENGINE).payloads();
      List<byte[]> b = batcher.calldata(5, transactions(50, 3), ENGINE).payloads();
      assertThat(a).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i)).isEqualTo(b.get(i));
      }
    }
  }

  @Test
  void smallRlpLimitCutsSeveralChannelsWithDistinctIds() {
    List<byte[]> txs = transactions(60, 4);
    OpStackBatcher batcher = new OpStackBatcher(new OpStackBatcher.Config(ChannelCompression.ZLIB, 5_000, 120_000, 5, 100_000));
    OpStackBatcher.Output out = batcher.calldata(0, txs, ENGINE);
    Set<String> channelIds = new HashSet<>();
    for (byte[] payload : out.payloads()) {
      for (Frame frame : Frames.decodeBatcherData(payload)) {
        channelIds.add(HexFormat.of().formatHex(frame.channelId()));
      }
    }
    assertThat(channelIds.size()).isGreaterThan(1);
    assertThat(flatten(OpStackReader.fromCalldata(out.payloads(), 5_000))).containsExactlyElementsOf(txs);
  }

  @Test
  void callerGivenBlockBoundariesAreKept() {
    List<List<byte[]>> blocks = List.of(transactions(3, 5), transactions(1, 6), transactions(4, 7));
    OpStackBatcher.Output out = new OpStackBatcher(OpStackBatcher.Config.defaults())
        .calldataForBlocks(10, blocks, ENGINE);
    List<OpBatch> read = OpStackReader.fromCalldata(out.payloads(), ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    assertThat(read).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(((SingularBatch) read.get(i)).transactions()).containsExactlyElementsOf(blocks.get(i));
      assertThat(((SingularBatch) read.get(i)).timestamp()).isEqualTo(1000 + 2 * (10 + i));
    }
  }

  @Test
  void noTransactionsGiveNoPayloads() {
    OpStackBatcher.Output out = new OpStackBatcher(OpStackBatcher.Config.defaults()).calldata(3, List.of(), ENGINE);
    assertThat(out.payloads()).isEmpty();
    assertThat(out.nextBlockNumber()).isEqualTo(3);
  }

  @Test
  void rejectsTransactionsThatCannotGoIntoABatch() {
    OpStackBatcher batcher = new OpStackBatcher(new OpStackBatcher.Config(ChannelCompression.ZLIB, 2_000, 120_000, 10, 1_000));
    assertThatThrownBy(() -> batcher.calldata(0, List.of(new byte[0]), ENGINE)).hasMessageContaining("empty");
    assertThatThrownBy(() -> batcher.calldata(0, List.of(new byte[] {0x7E, 1}), ENGINE)).hasMessageContaining("deposit");
    byte[] big = new byte[1_001];
    big[0] = 2;
    assertThatThrownBy(() -> batcher.calldata(0, List.of(big), ENGINE)).hasMessageContaining("block limit");
    OpStackBatcher tinyChannels = new OpStackBatcher(new OpStackBatcher.Config(ChannelCompression.ZLIB, 500, 120_000, 10, 1_000));
    byte[] tx = new byte[900];
    tx[0] = 2;
    assertThatThrownBy(() -> tinyChannels.calldata(0, List.of(tx), ENGINE)).hasMessageContaining("alone exceeds");
  }

  @Test
  void engineFailurePropagates() {
    L2EngineView missing = n -> {
      throw new IllegalStateException("engine has no block " + n);
    };
    assertThatThrownBy(() -> new OpStackBatcher(OpStackBatcher.Config.defaults()).calldata(9, transactions(2, 8), missing))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no block 9");
  }
}
