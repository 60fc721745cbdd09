package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A version-0 OP Stack batch: the transactions of one L2 block.
 * Content: {@code rlp([parent_hash, epoch_number, epoch_hash, timestamp, transaction_list])},
 * where transaction_list is a list of EIP-2718 encoded transactions, each an RLP string.
 */
public record SingularBatch(byte[] parentHash, long epochNumber, byte[] epochHash, long timestamp,
    List<byte[]> transactions) implements OpBatch {
  public static final int HASH_LENGTH = 32;

  public SingularBatch {
    requireHash("parentHash", parentHash);
    requireHash("epochHash", epochHash);
    if (epochNumber < 0 || timestamp < 0) {
      throw new IllegalArgumentException("epochNumber and timestamp must be non-negative");
    }
    parentHash = parentHash.clone();
    epochHash = epochHash.clone();
    List<byte[]> copies = new ArrayList<>(transactions.size());
    for (byte[] tx : transactions) {
      copies.add(tx.clone());
    }
    transactions = List.copyOf(copies);
  }

  /** Builds the batch for an L2 block from the engine's view of that block and its transactions. */
  public static SingularBatch of(L2BlockAttributes block, List<byte[]> transactions) {
    return new SingularBatch(block.parentHash(), block.epochNumber(), block.epochHash(), block.timestamp(),
        transactions);
  }

  private static void requireHash(String name, byte[] hash) {
    if (hash == null || hash.length != HASH_LENGTH) {
      throw new IllegalArgumentException(name + " must be " + HASH_LENGTH + " bytes");
    }
  }

  @Override
  public int batchType() {
    return SINGULAR_BATCH_TYPE;
  }

  @Override
  public byte[] parentHash() {
    return parentHash.clone();
  }

  @Override
  public byte[] epochHash() {
    return epochHash.clone();
  }

  @Override
  public List<byte[]> transactions() {
    return transactions.stream().map(byte[]::clone).toList();
  }

  public int transactionCount() {
    return transactions.size();
  }

  @Override
  public byte[] encode() {
    List<byte[]> txItems = new ArrayList<>(transactions.size());
    for (byte[] tx : transactions) {
      txItems.add(Rlp.encodeString(tx));
    }
    byte[] content = Rlp.encodeList(List.of(
        Rlp.encodeString(parentHash),
        Rlp.encodeUint(epochNumber),
        Rlp.encodeString(epochHash),
        Rlp.encodeUint(timestamp),
        Rlp.encodeList(txItems)));
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 1);
    out.write(SINGULAR_BATCH_TYPE);
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** Decodes the RLP content that starts at {@code offset} and must end at the end of the array. */
  static SingularBatch decodeContent(byte[] data, int offset) {
    Rlp.Reader outer = new Rlp.Reader(Arrays.copyOfRange(data, offset, data.length));
    Rlp.Reader fields = outer.readList("singular batch");
    if (outer.hasNext()) {
      throw new OpStackDecodingException("singular batch: trailing bytes after the batch content");
    }
    byte[] parent = fields.readFixed("batch parent_hash", HASH_LENGTH);
    long epochNumber = fields.readUint("batch epoch_number");
    byte[] epochHash = fields.readFixed("batch epoch_hash", HASH_LENGTH);
    long timestamp = fields.readUint("batch timestamp");
    Rlp.Reader txs = fields.readList("batch transaction_list");
    if (fields.hasNext()) {
      throw new OpStackDecodingException("singular batch: more than 5 fields");
    }
    List<byte[]> transactions = new ArrayList<>();
    while (txs.hasNext()) {
      transactions.add(txs.readString("batch transaction"));
    }
    return new SingularBatch(parent, epochNumber, epochHash, timestamp, transactions);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SingularBatch other)) {
      return false;
    }
    if (epochNumber != other.epochNumber || timestamp != other.timestamp
        || !Arrays.equals(parentHash, other.parentHash) || !Arrays.equals(epochHash, other.epochHash)
        || transactions.size() != other.transactions.size()) {
      return false;
    }
    for (int i = 0; i < transactions.size(); i++) {
      if (!Arrays.equals(transactions.get(i), other.transactions.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Arrays.hashCode(parentHash);
    h = 31 * h + Long.hashCode(epochNumber);
    h = 31 * h + Long.hashCode(timestamp);
    for (byte[] tx : transactions) {
      h = 31 * h + Arrays.hashCode(tx);
    }
    return h;
  }

  @Override
  public String toString() {
    HexFormat hex = HexFormat.of();
    return "SingularBatch[parent=0x" + hex.formatHex(parentHash) + ", epoch=" + epochNumber + "/0x"
        + hex.formatHex(epochHash) + ", timestamp=" + timestamp + ", txs=" + transactions.size() + "]";
  }
}
