package dev.tandem.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A block of the global log: a header and its transactions sorted by namespace. Within one
 * namespace, transactions keep the order in which the proposer listed them (the sort is stable),
 * which is the order the rollup executes them in.
 *
 * <p>Encoding: {@code header, u32 count, count x transaction}.
 */
public final class Block {
  public static final int MAX_TRANSACTIONS = 1 << 20;
  /** Absolute ceiling on an encoded block; nodes configure a lower one. */
  public static final int MAX_ENCODED_BYTES = 64 << 20;

  private final BlockHeader header;
  private final List<Transaction> transactions;
  private final Hash hash;
  /** Built on first use and kept: every namespace's slice is cut from the same tree. */
  private volatile NamespaceMerkleTree tree;

  private Block(BlockHeader header, List<Transaction> transactions) {
    this.header = header;
    this.transactions = List.copyOf(transactions);
    this.hash = header.hash();
  }

  /** Builds a block from transactions in proposal order; sorts them by namespace, stably. */
  public static Block build(long chainId, long height, Hash parentHash, long timestampMillis, PublicKey proposer,
      List<Transaction> proposalOrder) {
    List<Transaction> sorted = sortByNamespace(proposalOrder);
    NmtNode root = NamespaceMerkleTree.ofTransactions(sorted).root();
    BlockHeader header = new BlockHeader(chainId, height, parentHash, timestampMillis, proposer, root.hash(),
        sorted.size());
    return new Block(header, sorted);
  }

  public static List<Transaction> sortByNamespace(List<Transaction> proposalOrder) {
    List<Transaction> sorted = new ArrayList<>(proposalOrder);
    sorted.sort(Comparator.comparing(Transaction::namespace));
    return sorted;
  }

  /**
   * Pairs a header with a body, checking that the body is exactly what the header commits to:
   * transaction count, namespace order and namespace root.
   */
  public static Block assemble(BlockHeader header, List<Transaction> transactions) {
    if (transactions.size() != header.txCount()) {
      throw new DecodingException("header says " + header.txCount() + " transactions, body has " + transactions.size());
    }
    for (int i = 1; i < transactions.size(); i++) {
      if (transactions.get(i - 1).namespace().compareTo(transactions.get(i).namespace()) > 0) {
        throw new DecodingException("block transactions are not sorted by namespace at index " + i);
      }
    }
    Hash root = NamespaceMerkleTree.ofTransactions(transactions).root().hash();
    if (!root.equals(header.namespaceRoot())) {
      throw new DecodingException("block body does not match the header's namespace root");
    }
    return new Block(header, transactions);
  }

  public BlockHeader header() {
    return header;
  }

  public Hash hash() {
    return hash;
  }

  public long height() {
    return header.height();
  }

  public List<Transaction> transactions() {
    return transactions;
  }

  public NamespaceMerkleTree tree() {
    NamespaceMerkleTree built = tree;
    if (built == null) {
      built = NamespaceMerkleTree.ofTransactions(transactions);
      tree = built;
    }
    return built;
  }

  /** The namespace's transactions with their proof of inclusion and completeness. */
  public NamespaceSlice slice(Namespace namespace) {
    NamespaceProof proof = tree().prove(namespace);
    return new NamespaceSlice(header.height(), namespace, transactions.subList(proof.start(), proof.end()), proof);
  }

  public byte[] encode() {
    int size = BlockHeader.ENCODED_LENGTH + 4;
    for (Transaction tx : transactions) {
      size += tx.encodedLength();
    }
    CanonicalWriter writer = new CanonicalWriter(size);
    header.writeTo(writer);
    writer.u32(transactions.size());
    for (Transaction tx : transactions) {
      tx.writeTo(writer);
    }
    return writer.toByteArray();
  }

  /** Decodes and checks the body against the header (count, order, namespace root). */
  public static Block decode(byte[] encoded) {
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new DecodingException("block of " + encoded.length + " bytes exceeds " + MAX_ENCODED_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    BlockHeader header = BlockHeader.read(reader);
    int count = reader.count(MAX_TRANSACTIONS, "transaction");
    // Each transaction takes at least OVERHEAD_BYTES; reject lying counts before allocating.
    if ((long) count * Transaction.OVERHEAD_BYTES > reader.remaining()) {
      throw new DecodingException("truncated block: " + count + " transactions cannot fit in "
          + reader.remaining() + " bytes");
    }
    List<Transaction> transactions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      transactions.add(Transaction.read(reader));
    }
    reader.end();
    return assemble(header, transactions);
  }

  @Override
  public String toString() {
    return "Block(height=" + header.height() + ", " + hash + ", " + transactions.size() + " txs)";
  }
}
