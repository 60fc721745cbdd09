package dev.tandem.core;

import java.util.List;

/**
 * Proof that leaves [start, end) of a block's namespaced Merkle tree are all the leaves of one
 * namespace: the roots of the subtrees outside that range, left to right. An empty range
 * ({@code start == end}) proves that the namespace has no leaves in the block.
 *
 * <p>Encoding: {@code u32 start, u32 end, u32 count, count x (u64 min, u64 max, bytes32 hash)}.
 */
public record NamespaceProof(int start, int end, List<NmtNode> siblings) {
  /** A tree of 2^32 leaves needs at most 2 * 32 sibling nodes. */
  public static final int MAX_SIBLINGS = 64;

  public NamespaceProof {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad proof range [" + start + ", " + end + ")");
    }
    siblings = List.copyOf(siblings);
  }

  /**
   * Checks that {@code leafData} is exactly, completely and in order the leaves of
   * {@code namespace} in a tree of {@code leafCount} leaves with root hash {@code rootHash}.
   */
  public Verification verify(Hash rootHash, long leafCount, Namespace namespace, List<byte[]> leafData) {
    if (leafData.size() != end - start) {
      return Verification.failed("proof covers " + (end - start) + " leaves but " + leafData.size() + " were given");
    }
    if (end > leafCount) {
      return Verification.failed("proof range ends past the block's " + leafCount + " transactions");
    }
    if (leafCount == 0) {
      return siblings.isEmpty() && rootHash.equals(NmtNode.EMPTY.hash())
          ? Verification.OK
          : Verification.failed("empty block must have the empty root and no proof nodes");
    }
    Rebuild rebuild = new Rebuild(namespace.id(), leafData);
    NmtNode computed;
    try {
      computed = rebuild.node(0, leafCount);
    } catch (ProofFailure failure) {
      return Verification.failed(failure.getMessage());
    } catch (IllegalArgumentException outOfOrder) {
      return Verification.failed("proof nodes are out of namespace order: " + outOfOrder.getMessage());
    }
    if (rebuild.nextSibling != siblings.size()) {
      return Verification.failed("proof has " + (siblings.size() - rebuild.nextSibling) + " unused nodes");
    }
    if (!computed.hash().equals(rootHash)) {
      return Verification.failed("computed root " + computed.hash() + " does not match the header's " + rootHash);
    }
    return Verification.OK;
  }

  private final class Rebuild {
    private final long namespace;
    private final List<byte[]> leafData;
    private int nextSibling;

    Rebuild(long namespace, List<byte[]> leafData) {
      this.namespace = namespace;
      this.leafData = leafData;
    }

    NmtNode node(long lo, long hi) {
      if (hi <= start || lo >= end) {
        if (nextSibling >= siblings.size()) {
          throw new ProofFailure("proof has too few nodes");
        }
        NmtNode sibling = siblings.get(nextSibling++);
        boolean leftOfSlice = hi <= start;
        if (leftOfSlice && Long.compareUnsigned(sibling.maxNamespace(), namespace) >= 0) {
          throw new ProofFailure("a subtree left of the slice may hold namespace leaves: incomplete slice");
        }
        if (!leftOfSlice && Long.compareUnsigned(sibling.minNamespace(), namespace) <= 0) {
          throw new ProofFailure("a subtree right of the slice may hold namespace leaves: incomplete slice");
        }
        return sibling;
      }
      if (hi - lo == 1) {
        return NmtNode.leaf(namespace, leafData.get((int) (lo - start)));
      }
      long mid = lo + Long.highestOneBit(hi - lo - 1);
      NmtNode left = node(lo, mid);
      NmtNode right = node(mid, hi);
      return NmtNode.parent(left, right);
    }
  }

  private static final class ProofFailure extends RuntimeException {
    ProofFailure(String message) {
      super(message, null, false, false);
    }
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u32(start).u32(end).u32(siblings.size());
    for (NmtNode node : siblings) {
      node.writeTo(writer);
    }
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(12 + siblings.size() * NmtNode.ENCODED_LENGTH);
    writeTo(writer);
    return writer.toByteArray();
  }

  public static NamespaceProof read(CanonicalReader reader) {
    long start = reader.u32("proof start");
    long end = reader.u32("proof end");
    if (start > Integer.MAX_VALUE || end > Integer.MAX_VALUE || end < start) {
      throw new DecodingException("bad proof range [" + start + ", " + end + ")");
    }
    int count = reader.count(MAX_SIBLINGS, "proof node");
    NmtNode[] nodes = new NmtNode[count];
    for (int i = 0; i < count; i++) {
      nodes[i] = NmtNode.read(reader);
    }
    return new NamespaceProof((int) start, (int) end, List.of(nodes));
  }

  public static NamespaceProof decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    NamespaceProof proof = read(reader);
    reader.end();
    return proof;
  }
}
