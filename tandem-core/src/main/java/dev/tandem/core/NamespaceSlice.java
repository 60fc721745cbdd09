package dev.tandem.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One namespace's transactions in one block, with the proof that they are all of them, in order.
 * A rollup checks a slice against a block header it trusts (one carrying a valid quorum
 * certificate) with {@link #verify(BlockHeader)}.
 */
public record NamespaceSlice(long height, Namespace namespace, List<Transaction> transactions, NamespaceProof proof) {
  public NamespaceSlice {
    transactions = List.copyOf(transactions);
  }

  public Verification verify(BlockHeader header) {
    if (header.height() != height) {
      return Verification.failed("slice is for height " + height + " but the header is for " + header.height());
    }
    List<byte[]> leaves = new ArrayList<>(transactions.size());
    for (Transaction tx : transactions) {
      if (!tx.namespace().equals(namespace)) {
        return Verification.failed("transaction " + tx.id() + " belongs to namespace " + tx.namespace());
      }
      leaves.add(tx.encode());
    }
    return proof.verify(header.namespaceRoot(), header.txCount(), namespace, leaves);
  }
}
