package dev.tandem.core;

import java.util.Objects;

/**
 * The header of a block in the global log. Its hash is what consensus votes on and what a
 * namespace proof is checked against.
 *
 * <p>Canonical encoding (version 1): {@code u8 version=1, u64 chainId, u64 height,
 * bytes32 parentHash, u64 timestampMillis, bytes32 proposer, bytes32 namespaceRoot, u32 txCount}.
 */
public record BlockHeader(long chainId, long height, Hash parentHash, long timestampMillis, PublicKey proposer,
    Hash namespaceRoot, int txCount) {
  public static final int VERSION = 1;
  public static final int ENCODED_LENGTH = 1 + 8 + 8 + Hash.LENGTH + 8 + PublicKey.LENGTH + Hash.LENGTH + 4;

  public BlockHeader {
    Objects.requireNonNull(parentHash, "parentHash");
    Objects.requireNonNull(proposer, "proposer");
    Objects.requireNonNull(namespaceRoot, "namespaceRoot");
    if (height < 0 || timestampMillis < 0 || txCount < 0) {
      throw new IllegalArgumentException("height, timestamp and txCount must not be negative");
    }
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u8(VERSION).u64(chainId).u64(height).hash(parentHash).u64(timestampMillis)
        .fixed(proposer.raw()).hash(namespaceRoot).u32(txCount);
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(ENCODED_LENGTH);
    writeTo(writer);
    return writer.toByteArray();
  }

  public Hash hash() {
    return Hashing.hash(Hashing.Domain.BLOCK_HEADER, encode());
  }

  public static BlockHeader read(CanonicalReader reader) {
    int version = reader.u8("block header version");
    if (version != VERSION) {
      throw new DecodingException("unsupported block header version " + version);
    }
    long chainId = reader.u64("chain id");
    long height = reader.unsigned63("height");
    Hash parent = reader.hash("parent hash");
    long timestamp = reader.unsigned63("timestamp");
    PublicKey proposer = PublicKey.of(reader.fixed(PublicKey.LENGTH, "proposer"));
    Hash root = reader.hash("namespace root");
    long count = reader.u32("tx count");
    if (count > Block.MAX_TRANSACTIONS) {
      throw new DecodingException("tx count " + count + " exceeds " + Block.MAX_TRANSACTIONS);
    }
    return new BlockHeader(chainId, height, parent, timestamp, proposer, root, (int) count);
  }

  public static BlockHeader decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    BlockHeader header = read(reader);
    reader.end();
    return header;
  }
}
