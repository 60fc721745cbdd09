package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.web3j.crypto.AccessListObject;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

class SpanBatchTest {
  private static final long CHAIN = 901;
  private static final BigInteger CHAIN_ID = BigInteger.valueOf(CHAIN);
  private static final Credentials KEY =
      Credentials.create("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  private static final String TO = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

  /** One of each kind span batches carry: legacy unprotected/protected/creation, 2930, 1559, 7702. */
  static List<byte[]> mixedTransactions(int rounds, long seed) {
    Random random = new Random(seed);
    List<byte[]> txs = new ArrayList<>();
    long nonce = 0;
    for (int round = 0; round < rounds; round++) {
      BigInteger value = BigInteger.valueOf(random.nextInt(1_000_000));
      String data = Numeric.toHexString(randomBytes(random, random.nextInt(80)));
      BigInteger gasPrice = BigInteger.valueOf(1_000_000_000L + random.nextInt(1000));
      txs.add(TransactionEncoder.signMessage(RawTransaction.createTransaction(BigInteger.valueOf(nonce++), gasPrice,
          BigInteger.valueOf(50_000), TO, value, data), KEY));
      txs.add(TransactionEncoder.signMessage(RawTransaction.createTransaction(BigInteger.valueOf(nonce++), gasPrice,
          BigInteger.valueOf(60_000), TO, value, data), CHAIN, KEY));
      txs.add(TransactionEncoder.signMessage(RawTransaction.createContractTransaction(BigInteger.valueOf(nonce++),
          gasPrice, BigInteger.valueOf(300_000), value, "0x6000600055"), CHAIN, KEY));
      txs.add(TransactionEncoder.signMessage(RawTransaction.createTransaction(CHAIN, BigInteger.valueOf(nonce++),
          gasPrice, BigInteger.valueOf(70_000), TO, value, data,
          List.of(new AccessListObject(TO, List.of("0x" + "00".repeat(31) + "01")))), KEY));
      txs.add(TransactionEncoder.signMessage(RawTransaction.createTransaction(CHAIN, BigInteger.valueOf(nonce++),
          BigInteger.valueOf(80_000), TO, value, data, BigInteger.ONE, gasPrice), KEY));
      txs.add(setCodeTransaction(nonce++, random));
    }
    return txs;
  }

  /** A type-4 transaction assembled field by field (span batches do not check signatures). */
  static byte[] setCodeTransaction(long nonce, Random random) {
    byte[] authorization = Rlp.encodeList(Rlp.encodeBigUint(CHAIN_ID), Rlp.encodeString(Numeric.hexStringToByteArray(TO)),
        Rlp.encodeUint(7), Rlp.encodeUint(1), Rlp.encodeBigUint(new BigInteger(1, randomBytes(random, 32))),
        Rlp.encodeBigUint(new BigInteger(1, randomBytes(random, 32))));
    byte[] body = Rlp.encodeList(Rlp.encodeBigUint(CHAIN_ID), Rlp.encodeUint(nonce), Rlp.encodeUint(2),
        Rlp.encodeUint(3_000_000_000L), Rlp.encodeUint(90_000), Rlp.encodeString(Numeric.hexStringToByteArray(TO)),
        Rlp.encodeUint(0), Rlp.encodeString(new byte[0]), Rlp.encodeList(List.of()), Rlp.encodeList(authorization),
        Rlp.encodeUint(random.nextInt(2)), Rlp.encodeBigUint(new BigInteger(1, randomBytes(random, 32))),
        Rlp.encodeBigUint(new BigInteger(1, randomBytes(random, 31))));
    byte[] tx = new byte[body.length + 1];
    tx[0] = 4;
    System.arraycopy(body, 0, tx, 1, body.length);
    return tx;
  }

  static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  static List<SingularBatch> consecutiveBatches(List<byte[]> txs, int perBlock) {
    List<SingularBatch> batches = new ArrayList<>();
    int block = 0;
    for (int i = 0; i < txs.size() || block == 0; i += perBlock, block++) {
      byte[] parent = new byte[32];
      Arrays.fill(parent, (byte) (block + 1));
      byte[] epochHash = new byte[32];
      Arrays.fill(epochHash, (byte) (0x40 + block / 3));
      batches.add(new SingularBatch(parent, 500 + block / 3, epochHash, 10_000 + 2L * block,
          txs.subList(i, Math.min(txs.size(), i + perBlock))));
    }
    return batches;
  }

  @Test
  void everyTransactionKindSurvivesTheRoundTrip() {
    List<byte[]> txs = mixedTransactions(5, 1);
    List<SingularBatch> batches = consecutiveBatches(txs, 4);
    SpanBatch span = SpanBatch.fromSingularBatches(batches, 9_000, true, CHAIN_ID);
    assertThat(span.blockCount()).isEqualTo(batches.size());
    assertThat(span.relTimestamp()).isEqualTo(1_000);
    assertThat(span.l1OriginNumber()).isEqualTo(batches.get(batches.size() - 1).epochNumber());

    byte[] encoded = span.encode();
    assertThat(encoded[0]).isEqualTo((byte) 1);
    SpanBatch decoded = (SpanBatch) OpBatch.decode(encoded);
    assertThat(decoded).isEqualTo(span);
    List<List<byte[]>> blocks = decoded.blockTransactions(CHAIN_ID);
    for (int b = 0; b < batches.size(); b++) {
      assertThat(blocks.get(b)).containsExactlyElementsOf(batches.get(b).transactions());
    }
    // origin bits: first given, then set where the epoch changes (every third block)
    for (int b = 1; b < batches.size(); b++) {
      assertThat(decoded.originBits().get(b)).isEqualTo(b % 3 == 0);
    }
  }

  @Test
  void prefixLayoutFollowsTheSpec() {
    byte[] parent = new byte[32];
    Arrays.fill(parent, (byte) 0xAB);
    byte[] epochHash = new byte[32];
    Arrays.fill(epochHash, (byte) 0xCD);
    SingularBatch only = new SingularBatch(parent, 300, epochHash, 1_300, List.of());
    byte[] encoded = SpanBatch.fromSingularBatches(List.of(only), 1_000, true, CHAIN_ID).encode();
    // 01 | uvarint 300 = ac 02 | uvarint 300 = ac 02 | ab*20 | cd*20 | block_count 01 | origin_bits 01
    // | tx count 00 | empty creation, parity bits, sigs, tos, datas, nonces, gases, protected bits
    assertThat(encoded).isEqualTo(Vectors.bytes("01 ac 02 ac 02 ab*20 cd*20 01 01 00"));
  }

  @ParameterizedTest
  @EnumSource(ChannelCompression.class)
  void spanBatchesTravelInChannels(ChannelCompression compression) {
    List<byte[]> txs = mixedTransactions(3, 2);
    SpanBatch span = SpanBatch.fromSingularBatches(consecutiveBatches(txs, 5), 0, false, CHAIN_ID);
    List<SingularBatch> singles = consecutiveBatches(mixedTransactions(1, 3), 2);
    List<OpBatch> mixed = new ArrayList<>(singles);
    mixed.add(span);
    byte[] channel = ChannelCodec.encode(mixed, compression, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    assertThat(ChannelCodec.decode(channel, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_FJORD).batches())
        .containsExactlyElementsOf(mixed);
  }

  @Test
  void everyTruncationIsRejectedCleanly() {
    byte[] encoded = SpanBatch.fromSingularBatches(consecutiveBatches(mixedTransactions(1, 4), 3), 0, true, CHAIN_ID)
        .encode();
    for (int cut = 1; cut < encoded.length; cut++) {
      byte[] truncated = Arrays.copyOf(encoded, cut);
      assertThatThrownBy(() -> OpBatch.decode(truncated)).as("cut at %d", cut)
          .isInstanceOf(OpStackDecodingException.class);
    }
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> OpBatch.decode(trailing)).hasMessageContaining("trailing");
  }

  @Test
  void randomGarbageNeverEscapesAsAnotherException() {
    Random random = new Random(7);
    byte[] good = SpanBatch.fromSingularBatches(consecutiveBatches(mixedTransactions(2, 5), 3), 0, true, CHAIN_ID)
        .encode();
    for (int i = 0; i < 2_000; i++) {
      byte[] mutated = good.clone();
      for (int flips = 0; flips < 1 + random.nextInt(4); flips++) {
        mutated[1 + random.nextInt(mutated.length - 1)] = (byte) random.nextInt(256);
      }
      try {
        OpBatch.decode(mutated);
      } catch (OpStackDecodingException expected) {
        // rejected with a clear error
      }
    }
  }

  @Test
  void rejectsInvalidContent() {
    // zero blocks
    assertThatThrownBy(() -> OpBatch.decode(Vectors.bytes("01 00 00 00*40 00"))).hasMessageContaining("no blocks");
    // origin bits beyond the block count
    assertThatThrownBy(() -> OpBatch.decode(Vectors.bytes("01 00 00 00*40 01 02 00")))
        .hasMessageContaining("bits set past");
    // a block count over the element limit
    assertThatThrownBy(() -> OpBatch.decode(Vectors.bytes("01 00 00 00*40 ff ff ff ff 0f")))
        .hasMessageContaining("exceeds");
    // an overlong uvarint
    assertThatThrownBy(() -> OpBatch.decode(Vectors.bytes("01 ff ff ff ff ff ff ff ff ff 7f")))
        .hasMessageContaining("overflows");
  }

  @Test
  void rejectsTransactionsItCannotCarry() {
    List<byte[]> txs = mixedTransactions(1, 6);
    assertThatThrownBy(() -> SpanBatchTx.fromRawTransaction(txs.get(1), BigInteger.valueOf(10)))
        .hasMessageContaining("not for chain 10");
    assertThatThrownBy(() -> SpanBatchTx.fromRawTransaction(txs.get(4), BigInteger.valueOf(10)))
        .hasMessageContaining("signed for chain 901");
    assertThatThrownBy(() -> SpanBatchTx.fromRawTransaction(new byte[] {3, (byte) 0xC0}, CHAIN_ID))
        .hasMessageContaining("type 3");
    assertThatThrownBy(() -> SpanBatchTx.fromRawTransaction(new byte[] {0x7E, (byte) 0xC0}, CHAIN_ID))
        .hasMessageContaining("type 126");
  }
}
