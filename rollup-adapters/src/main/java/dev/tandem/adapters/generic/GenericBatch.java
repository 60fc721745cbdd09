package dev.tandem.adapters.generic;

import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceProof;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The generic rollup batch: one namespace's slices of a contiguous range of finalized blocks,
 * each with its block header and its namespace proof, so that whoever reads the batch back from
 * the DA layer can check on its own that it holds every transaction of the namespace in that
 * range, in log order, and nothing else.
 *
 * <p>Encoding (version 1): {@code "TNDB", u8 version=1, u64 namespace, u64 firstHeight,
 * u32 blockCount, blockCount x entry}; entry = {@code header, proof, bytes certificate,
 * u32 txCount, txCount x transaction}. Heights are consecutive from firstHeight. The
 * certificate is the block's quorum certificate encoding (empty until the node has one).
 */
public record GenericBatch(Namespace namespace, long firstHeight, List<Entry> entries) {
  public static final int VERSION = 1;
  private static final byte[] MAGIC = "TNDB".getBytes(StandardCharsets.US_ASCII);
  public static final int MAX_BLOCKS = 100_000;
  public static final int MAX_CERTIFICATE_BYTES = 64 * 1024;
  public static final int MAX_ENCODED_BYTES = 64 << 20;

  /** One block's part of the batch. */
  public record Entry(BlockHeader header, NamespaceProof proof, byte[] certificate, List<Transaction> transactions) {
    public Entry {
      transactions = List.copyOf(transactions);
      certificate = certificate.clone();
    }

    public static Entry of(BlockHeader header, NamespaceSlice slice, byte[] certificate) {
      return new Entry(header, slice.proof(), certificate, slice.transactions());
    }

    @Override
    public byte[] certificate() {
      return certificate.clone();
    }
  }

  public GenericBatch {
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("a batch covers at least one block");
    }
  }

  public long lastHeight() {
    return firstHeight + entries.size() - 1;
  }

  /** Identifies the batch for idempotent posting: the same range of the same namespace. */
  public static Hash batchKey(Namespace namespace, long firstHeight, long lastHeight) {
    return Hashing.hash(Hashing.Domain.BATCH,
        new CanonicalWriter(24).u64(namespace.id()).u64(firstHeight).u64(lastHeight).toByteArray());
  }

  public Hash key() {
    return batchKey(namespace, firstHeight, lastHeight());
  }

  public int transactionCount() {
    return entries.stream().mapToInt(e -> e.transactions().size()).sum();
  }

  /**
   * Checks every entry: heights consecutive and linked by parent hash, every slice complete and
   * in order against its header. Trusting the headers themselves (their quorum certificates) is
   * the caller's part.
   */
  public Verification verify() {
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      BlockHeader header = entry.header();
      if (header.height() != firstHeight + i) {
        return Verification.failed("entry " + i + " has height " + header.height() + ", expected " + (firstHeight + i));
      }
      if (i > 0 && !header.parentHash().equals(entries.get(i - 1).header().hash())) {
        return Verification.failed("block " + header.height() + " does not extend block " + (header.height() - 1));
      }
      NamespaceSlice slice = new NamespaceSlice(header.height(), namespace, entry.transactions(), entry.proof());
      Verification result = slice.verify(header);
      if (!result.valid()) {
        return Verification.failed("block " + header.height() + ": " + result.reason());
      }
    }
    return Verification.OK;
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(1024);
    writer.fixed(MAGIC).u8(VERSION).u64(namespace.id()).u64(firstHeight).u32(entries.size());
    for (Entry entry : entries) {
      entry.header().writeTo(writer);
      entry.proof().writeTo(writer);
      writer.bytes(entry.certificate);
      writer.u32(entry.transactions().size());
      for (Transaction tx : entry.transactions()) {
        tx.writeTo(writer);
      }
    }
    return writer.toByteArray();
  }

  public static GenericBatch decode(byte[] encoded) {
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new DecodingException("batch of " + encoded.length + " bytes exceeds " + MAX_ENCODED_BYTES);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    byte[] magic = reader.fixed(MAGIC.length, "magic");
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new DecodingException("not a Tandem generic batch (bad magic)");
    }
    int version = reader.u8("batch version");
    if (version != VERSION) {
      throw new DecodingException("unsupported generic batch version " + version);
    }
    Namespace namespace = Namespace.of(reader.u64("namespace"));
    long firstHeight = reader.unsigned63("first height");
    int blockCount = reader.count(MAX_BLOCKS, "block");
    if (blockCount == 0) {
      throw new DecodingException("batch covers no blocks");
    }
    List<Entry> entries = new ArrayList<>(Math.min(blockCount, 1024));
    for (int i = 0; i < blockCount; i++) {
      BlockHeader header = BlockHeader.read(reader);
      NamespaceProof proof = NamespaceProof.read(reader);
      byte[] certificate = reader.bytes(MAX_CERTIFICATE_BYTES, "certificate");
      int txCount = reader.count(header.txCount(), "transaction");
      List<Transaction> txs = new ArrayList<>(Math.min(txCount, 1024));
      for (int t = 0; t < txCount; t++) {
        txs.add(Transaction.read(reader));
      }
      entries.add(new Entry(header, proof, certificate, txs));
    }
    reader.end();
    return new GenericBatch(namespace, firstHeight, entries);
  }
}
