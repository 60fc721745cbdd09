package dev.tandem.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A namespaced Merkle tree over a block's transactions sorted by namespace (after Celestia's NMT).
 * The tree shape is RFC 6962's: a range of n leaves splits at the largest power of two below n.
 * Proofs of a namespace's slice carry the roots of the subtrees outside the slice; their namespace
 * ranges prove that no leaf of the namespace was left out.
 */
public final class NamespaceMerkleTree {
  private final long[] namespaces;
  private final List<byte[]> leafData;
  /** Subtree roots by leaf range, computed once: proofs for many namespaces share them. */
  private final Map<Long, NmtNode> subtrees = new ConcurrentHashMap<>();

  private NamespaceMerkleTree(long[] namespaces, List<byte[]> leafData) {
    this.namespaces = namespaces;
    this.leafData = leafData;
  }

  /** Leaves must already be sorted by namespace (unsigned); the constructor checks it. */
  public static NamespaceMerkleTree of(List<Namespace> leafNamespaces, List<byte[]> leafData) {
    if (leafNamespaces.size() != leafData.size()) {
      throw new IllegalArgumentException("one namespace per leaf");
    }
    long[] namespaces = new long[leafNamespaces.size()];
    for (int i = 0; i < namespaces.length; i++) {
      namespaces[i] = leafNamespaces.get(i).id();
      if (i > 0 && Long.compareUnsigned(namespaces[i - 1], namespaces[i]) > 0) {
        throw new IllegalArgumentException("leaves are not sorted by namespace at index " + i);
      }
    }
    return new NamespaceMerkleTree(namespaces, List.copyOf(leafData));
  }

  public static NamespaceMerkleTree ofTransactions(List<Transaction> sortedTransactions) {
    List<Namespace> namespaces = new ArrayList<>(sortedTransactions.size());
    List<byte[]> data = new ArrayList<>(sortedTransactions.size());
    for (Transaction tx : sortedTransactions) {
      namespaces.add(tx.namespace());
      data.add(tx.encode());
    }
    return of(namespaces, data);
  }

  public int leafCount() {
    return namespaces.length;
  }

  public NmtNode root() {
    return namespaces.length == 0 ? NmtNode.EMPTY : subtreeRoot(0, namespaces.length);
  }

  /** The proof for every leaf of {@code namespace}, or of its absence when it has none. */
  public NamespaceProof prove(Namespace namespace) {
    long ns = namespace.id();
    int start = 0;
    while (start < namespaces.length && Long.compareUnsigned(namespaces[start], ns) < 0) {
      start++;
    }
    int end = start;
    while (end < namespaces.length && namespaces[end] == ns) {
      end++;
    }
    List<NmtNode> siblings = new ArrayList<>();
    if (namespaces.length > 0) {
      collectSiblings(0, namespaces.length, start, end, siblings);
    }
    return new NamespaceProof(start, end, siblings);
  }

  /** The index range [start, end) of a namespace's leaves. */
  public int[] range(Namespace namespace) {
    NamespaceProof proof = prove(namespace);
    return new int[] {proof.start(), proof.end()};
  }

  private void collectSiblings(int lo, int hi, int start, int end, List<NmtNode> out) {
    if (hi <= start || lo >= end) {
      out.add(subtreeRoot(lo, hi));
      return;
    }
    if (hi - lo == 1) {
      return;
    }
    int mid = lo + splitPoint(hi - lo);
    collectSiblings(lo, mid, start, end, out);
    collectSiblings(mid, hi, start, end, out);
  }

  private NmtNode subtreeRoot(int lo, int hi) {
    long key = ((long) lo << 32) | hi;
    NmtNode known = subtrees.get(key);
    if (known != null) {
      return known;
    }
    NmtNode node;
    if (hi - lo == 1) {
      node = NmtNode.leaf(namespaces[lo], leafData.get(lo));
    } else {
      int mid = lo + splitPoint(hi - lo);
      node = NmtNode.parent(subtreeRoot(lo, mid), subtreeRoot(mid, hi));
    }
    subtrees.put(key, node);
    return node;
  }

  /** The largest power of two strictly below n (n at least 2). */
  static int splitPoint(int n) {
    return Integer.highestOneBit(n - 1);
  }
}
