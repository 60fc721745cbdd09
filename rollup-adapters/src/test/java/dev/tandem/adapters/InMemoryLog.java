package dev.tandem.adapters;

import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A finalized log in memory for adapter tests, as a node would serve it: chain 1, each appended
 * block extends the previous one, 1 s apart; no quorum certificates. Safe to append while an
 * adapter reads.
 */
public class InMemoryLog implements FinalizedBlockSource {
  private final List<Block> blocks = new CopyOnWriteArrayList<>();
  private final PublicKey proposer;
  private final KeyPair signer;
  private long nonce;

  public InMemoryLog(PublicKey proposer) {
    this.proposer = proposer;
    this.signer = null;
  }

  /** A log whose {@link #appendRollupBlock} signs transactions with {@code signer}. */
  public InMemoryLog(KeyPair signer) {
    this.proposer = signer.publicKey();
    this.signer = signer;
  }

  /**
   * Appends a block holding one transaction of {@code neighbour} (so that a rollup's slice is never
   * the whole block) and then {@code payloads} in {@code rollup}, in order, all signed by this log's
   * key with fresh nonces.
   */
  public synchronized Block appendRollupBlock(Namespace rollup, List<byte[]> payloads, Namespace neighbour,
      byte[] neighbourPayload) {
    List<Transaction> txs = new ArrayList<>();
    txs.add(Transaction.sign(1, neighbour, ++nonce, 0, neighbourPayload, signer));
    for (byte[] payload : payloads) {
      txs.add(Transaction.sign(1, rollup, ++nonce, 0, payload, signer));
    }
    return appendBlock(txs);
  }

  /** Appends a block of {@code transactions} (in proposal order) at the next height. */
  public synchronized Block appendBlock(List<Transaction> transactions) {
    long height = blocks.size() + 1;
    Hash parent = blocks.isEmpty() ? Hash.ZERO : blocks.get(blocks.size() - 1).hash();
    Block block = Block.build(1, height, parent, 1000L * height, proposer, transactions);
    blocks.add(block);
    return block;
  }

  @Override
  public long finalizedHeight() {
    return blocks.size();
  }

  @Override
  public Block block(long height) {
    return blocks.get((int) height - 1);
  }

  @Override
  public byte[] certificate(long height) {
    return new byte[0];
  }
}
