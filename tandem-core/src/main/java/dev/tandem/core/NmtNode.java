package dev.tandem.core;

/**
 * A node of the namespaced Merkle tree: the smallest and largest namespace below it, and its hash.
 * The hash of an inner node commits to both children's ranges, so a proof node cannot lie about
 * which namespaces it covers.
 */
public record NmtNode(long minNamespace, long maxNamespace, Hash hash) {
  public static final int ENCODED_LENGTH = 8 + 8 + Hash.LENGTH;

  /** The root of a tree with no leaves. */
  public static final NmtNode EMPTY = new NmtNode(0, 0, Hashing.hash(Hashing.Domain.NMT_NODE));

  static NmtNode leaf(long namespace, byte[] data) {
    return new NmtNode(namespace, namespace,
        Hashing.hash(Hashing.Domain.NMT_LEAF, new CanonicalWriter(8).u64(namespace).toByteArray(), data));
  }

  static NmtNode parent(NmtNode left, NmtNode right) {
    if (Long.compareUnsigned(left.maxNamespace, right.minNamespace) > 0) {
      throw new IllegalArgumentException("namespaces out of order: " + Long.toUnsignedString(left.maxNamespace)
          + " before " + Long.toUnsignedString(right.minNamespace));
    }
    CanonicalWriter writer = new CanonicalWriter(2 * ENCODED_LENGTH);
    left.writeTo(writer);
    right.writeTo(writer);
    return new NmtNode(left.minNamespace, right.maxNamespace,
        Hashing.hash(Hashing.Domain.NMT_NODE, writer.toByteArray()));
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u64(minNamespace).u64(maxNamespace).hash(hash);
  }

  public static NmtNode read(CanonicalReader reader) {
    long min = reader.u64("nmt node min namespace");
    long max = reader.u64("nmt node max namespace");
    Hash hash = reader.hash("nmt node hash");
    if (Long.compareUnsigned(min, max) > 0) {
      throw new DecodingException("nmt node has min namespace above max namespace");
    }
    return new NmtNode(min, max, hash);
  }
}
