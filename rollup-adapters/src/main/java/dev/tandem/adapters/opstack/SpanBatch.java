package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A version-1 OP Stack batch (Delta): a span of consecutive L2 blocks in one column-oriented
 * encoding, {@code 0x01 ++ prefix ++ payload}, where
 * {@code prefix = uvarint rel_timestamp ++ uvarint l1_origin_num ++ parent_check(20) ++ l1_origin_check(20)}
 * and {@code payload = uvarint block_count ++ origin_bits ++ uvarint block_tx_counts... ++ txs}.
 * Bit lists are big-endian integers padded to whole bytes, bit i for element i.
 */
public record SpanBatch(long relTimestamp, long l1OriginNumber, byte[] parentCheck, byte[] l1OriginCheck,
    List<Boolean> originBits, List<Long> blockTxCounts, List<SpanBatchTx> transactions) implements OpBatch {
  public static final int CHECK_LENGTH = 20;
  /** MAX_SPAN_BATCH_ELEMENT_COUNT: the most blocks, and the most transactions, in one span batch. */
  public static final long MAX_ELEMENT_COUNT = 10_000_000L;

  public SpanBatch {
    if (parentCheck.length != CHECK_LENGTH || l1OriginCheck.length != CHECK_LENGTH) {
      throw new IllegalArgumentException("checks must be " + CHECK_LENGTH + " bytes");
    }
    if (originBits.isEmpty() || originBits.size() != blockTxCounts.size()) {
      throw new IllegalArgumentException("a span batch has at least one block, one origin bit and tx count each");
    }
    long total = blockTxCounts.stream().mapToLong(Long::longValue).sum();
    if (total != transactions.size()) {
      throw new IllegalArgumentException("block tx counts sum to " + total + " but there are "
          + transactions.size() + " transactions");
    }
    parentCheck = parentCheck.clone();
    l1OriginCheck = l1OriginCheck.clone();
    originBits = List.copyOf(originBits);
    blockTxCounts = List.copyOf(blockTxCounts);
    transactions = List.copyOf(transactions);
  }

  /**
   * Builds a span batch from consecutive singular batches.
   *
   * @param genesisTimestamp the rollup's L2 genesis timestamp
   * @param firstBlockChangedOrigin whether the first block starts a new L1 origin (epoch) compared
   *     with its parent; the engine knows this
   * @param chainId the rollup's chain id; every transaction must be signed for it
   */
  public static SpanBatch fromSingularBatches(List<SingularBatch> batches, long genesisTimestamp,
      boolean firstBlockChangedOrigin, BigInteger chainId) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("a span batch covers at least one block");
    }
    SingularBatch first = batches.get(0);
    SingularBatch last = batches.get(batches.size() - 1);
    if (first.timestamp() < genesisTimestamp) {
      throw new IllegalArgumentException("first block is older than genesis");
    }
    List<Boolean> bits = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    List<SpanBatchTx> txs = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      SingularBatch b = batches.get(i);
      bits.add(i == 0 ? firstBlockChangedOrigin : b.epochNumber() != batches.get(i - 1).epochNumber());
      counts.add((long) b.transactionCount());
      for (byte[] raw : b.transactions()) {
        txs.add(SpanBatchTx.fromRawTransaction(raw, chainId));
      }
    }
    return new SpanBatch(first.timestamp() - genesisTimestamp, last.epochNumber(),
        Arrays.copyOf(first.parentHash(), CHECK_LENGTH), Arrays.copyOf(last.epochHash(), CHECK_LENGTH),
        bits, counts, txs);
  }

  @Override
  public int batchType() {
    return SPAN_BATCH_TYPE;
  }

  @Override
  public byte[] parentCheck() {
    return parentCheck.clone();
  }

  @Override
  public byte[] l1OriginCheck() {
    return l1OriginCheck.clone();
  }

  public int blockCount() {
    return originBits.size();
  }

  /** The raw transactions of each block, rebuilt for the rollup's chain id. */
  public List<List<byte[]>> blockTransactions(BigInteger chainId) {
    List<List<byte[]>> blocks = new ArrayList<>();
    int next = 0;
    for (long count : blockTxCounts) {
      List<byte[]> block = new ArrayList<>();
      for (long i = 0; i < count; i++) {
        block.add(transactions.get(next++).toRawTransaction(chainId));
      }
      blocks.add(block);
    }
    return blocks;
  }

  @Override
  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(SPAN_BATCH_TYPE);
    writeUvarint(out, relTimestamp);
    writeUvarint(out, l1OriginNumber);
    out.writeBytes(parentCheck);
    out.writeBytes(l1OriginCheck);
    writeUvarint(out, originBits.size());
    writeBits(out, originBits);
    for (long count : blockTxCounts) {
      writeUvarint(out, count);
    }
    List<Boolean> creation = new ArrayList<>();
    List<Boolean> parity = new ArrayList<>();
    List<Boolean> protectedBits = new ArrayList<>();
    for (SpanBatchTx tx : transactions) {
      creation.add(tx.contractCreation());
      parity.add(tx.yParity() == 1);
      if (tx.type() == SpanBatchTx.LEGACY) {
        protectedBits.add(tx.protectedLegacy());
      }
    }
    writeBits(out, creation);
    writeBits(out, parity);
    for (SpanBatchTx tx : transactions) {
      out.writeBytes(uint256(tx.r()));
      out.writeBytes(uint256(tx.s()));
    }
    for (SpanBatchTx tx : transactions) {
      if (!tx.contractCreation()) {
        out.writeBytes(tx.to());
      }
    }
    for (SpanBatchTx tx : transactions) {
      out.writeBytes(tx.txData());
    }
    for (SpanBatchTx tx : transactions) {
      writeUvarint(out, tx.nonce());
    }
    for (SpanBatchTx tx : transactions) {
      writeUvarint(out, tx.gas());
    }
    writeBits(out, protectedBits);
    return out.toByteArray();
  }

  /** Decodes the content after the version byte; it must end exactly at the end of the array. */
  static SpanBatch decodeContent(byte[] data, int offset) {
    Cursor in = new Cursor(data, offset);
    long relTimestamp = in.uvarint("rel_timestamp");
    long l1OriginNum = in.uvarint("l1_origin_num");
    byte[] parentCheck = in.bytes(CHECK_LENGTH, "parent_check");
    byte[] l1OriginCheck = in.bytes(CHECK_LENGTH, "l1_origin_check");
    long blockCount = in.uvarint("block_count");
    if (blockCount == 0) {
      throw new OpStackDecodingException("span batch with no blocks");
    }
    if (blockCount > MAX_ELEMENT_COUNT) {
      throw new OpStackDecodingException("span batch block count " + blockCount + " exceeds " + MAX_ELEMENT_COUNT);
    }
    List<Boolean> originBits = in.bits((int) blockCount, "origin_bits");
    List<Long> counts = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < blockCount; i++) {
      long count = in.uvarint("block_tx_count");
      total += count;
      if (count > MAX_ELEMENT_COUNT || total > MAX_ELEMENT_COUNT) {
        throw new OpStackDecodingException("span batch transaction count exceeds " + MAX_ELEMENT_COUNT);
      }
      counts.add(count);
    }
    int txCount = (int) total;
    List<Boolean> creation = in.bits(txCount, "contract_creation_bits");
    List<Boolean> parity = in.bits(txCount, "y_parity_bits");
    BigInteger[][] sigs = new BigInteger[txCount][];
    for (int i = 0; i < txCount; i++) {
      sigs[i] = new BigInteger[] {new BigInteger(1, in.bytes(32, "tx r")), new BigInteger(1, in.bytes(32, "tx s"))};
    }
    byte[][] tos = new byte[txCount][];
    for (int i = 0; i < txCount; i++) {
      tos[i] = creation.get(i) ? null : in.bytes(20, "tx to");
    }
    byte[][] txDatas = new byte[txCount][];
    int legacyCount = 0;
    for (int i = 0; i < txCount; i++) {
      int[] position = {in.position};
      txDatas[i] = SpanBatchTx.readTxData(data, position);
      in.position = position[0];
      if (SpanBatchTx.typeOfTxData(txDatas[i]) == SpanBatchTx.LEGACY) {
        legacyCount++;
      }
    }
    long[] nonces = new long[txCount];
    for (int i = 0; i < txCount; i++) {
      nonces[i] = in.uvarint("tx nonce");
    }
    long[] gases = new long[txCount];
    for (int i = 0; i < txCount; i++) {
      gases[i] = in.uvarint("tx gas");
    }
    List<Boolean> protectedBits = in.bits(legacyCount, "protected_bits");
    if (in.position != data.length) {
      throw new OpStackDecodingException("span batch: " + (data.length - in.position) + " trailing bytes");
    }
    List<SpanBatchTx> txs = new ArrayList<>(txCount);
    int legacyIndex = 0;
    for (int i = 0; i < txCount; i++) {
      int type = SpanBatchTx.typeOfTxData(txDatas[i]);
      boolean isProtected = type == SpanBatchTx.LEGACY && protectedBits.get(legacyIndex++);
      try {
        txs.add(new SpanBatchTx(type, tos[i], sigs[i][0], sigs[i][1], parity.get(i) ? 1 : 0, isProtected,
            nonces[i], gases[i], txDatas[i]));
      } catch (IllegalArgumentException e) {
        throw new OpStackDecodingException("span batch transaction " + i + ": " + e.getMessage(), e);
      }
    }
    return new SpanBatch(relTimestamp, l1OriginNum, parentCheck, l1OriginCheck, originBits, counts, txs);
  }

  private static byte[] uint256(BigInteger value) {
    byte[] minimal = Rlp.unsignedBytes(value);
    byte[] out = new byte[32];
    System.arraycopy(minimal, 0, out, 32 - minimal.length, minimal.length);
    return out;
  }

  private static void writeUvarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /** Bit i of a big-endian integer padded to whole bytes is element i. */
  private static void writeBits(ByteArrayOutputStream out, List<Boolean> bits) {
    byte[] bytes = new byte[(bits.size() + 7) / 8];
    for (int i = 0; i < bits.size(); i++) {
      if (bits.get(i)) {
        bytes[bytes.length - 1 - i / 8] |= (byte) (1 << (i % 8));
      }
    }
    out.writeBytes(bytes);
  }

  private static final class Cursor {
    private final byte[] data;
    private int position;

    Cursor(byte[] data, int position) {
      this.data = data;
      this.position = position;
    }

    long uvarint(String what) {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= data.length) {
          throw new OpStackDecodingException("span batch " + what + " truncated");
        }
        int b = data[position++] & 0xFF;
        if (shift == 63 && b > 1) {
          throw new OpStackDecodingException("span batch " + what + " overflows 64 bits");
        }
        result |= (long) (b & 0x7F) << shift;
        if (b < 0x80) {
          if (result < 0) {
            throw new OpStackDecodingException("span batch " + what + " does not fit 63 bits");
          }
          return result;
        }
      }
      throw new OpStackDecodingException("span batch " + what + " overflows 64 bits");
    }

    byte[] bytes(int length, String what) {
      if (data.length - position < length) {
        throw new OpStackDecodingException("span batch " + what + " truncated");
      }
      byte[] out = Arrays.copyOfRange(data, position, position + length);
      position += length;
      return out;
    }

    List<Boolean> bits(int count, String what) {
      byte[] bytes = bytes((count + 7) / 8, what);
      List<Boolean> bits = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        bits.add((bytes[bytes.length - 1 - i / 8] & (1 << (i % 8))) != 0);
      }
      for (int i = count; i < bytes.length * 8; i++) {
        if ((bytes[bytes.length - 1 - i / 8] & (1 << (i % 8))) != 0) {
          throw new OpStackDecodingException("span batch " + what + " has bits set past its " + count + " elements");
        }
      }
      return bits;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpanBatch b && relTimestamp == b.relTimestamp && l1OriginNumber == b.l1OriginNumber
        && Arrays.equals(parentCheck, b.parentCheck) && Arrays.equals(l1OriginCheck, b.l1OriginCheck)
        && originBits.equals(b.originBits) && blockTxCounts.equals(b.blockTxCounts)
        && transactions.equals(b.transactions);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(relTimestamp) * 31 + Arrays.hashCode(parentCheck) + transactions.hashCode();
  }

  @Override
  public String toString() {
    return "SpanBatch[relTimestamp=" + relTimestamp + ", l1OriginNumber=" + l1OriginNumber + ", blocks="
        + originBits.size() + ", txs=" + transactions.size() + "]";
  }
}
