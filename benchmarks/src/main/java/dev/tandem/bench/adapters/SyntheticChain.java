package dev.tandem.bench.adapters;

import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A finalized log made up in memory before the clock starts, so the adapter benchmark times the
 * adapter and the DA layer and not block production: blocks of signed transactions spread evenly
 * over a few rollup namespaces, each block carrying about {@code blockPayloadBytes} of payload. It
 * has no quorum certificates (a BFT network's would add a few hundred bytes per block to a batch).
 */
final class SyntheticChain implements FinalizedBlockSource {
  private static final long CHAIN = 7_779;

  private final List<Block> blocks;
  private final List<Namespace> namespaces;
  private final int payloadBytes;
  private final long transactions;

  private SyntheticChain(List<Block> blocks, List<Namespace> namespaces, int payloadBytes, long transactions) {
    this.blocks = blocks;
    this.namespaces = namespaces;
    this.payloadBytes = payloadBytes;
    this.transactions = transactions;
  }

  /** Blocks until at least {@code totalPayloadBytes} of payload exist; one sender per namespace. */
  static SyntheticChain generate(List<Namespace> namespaces, int payloadBytes, long totalPayloadBytes,
      int blockPayloadBytes, long seed) {
    Random random = new Random(seed);
    List<KeyPair> senders = new ArrayList<>();
    for (int i = 0; i < namespaces.size(); i++) {
      senders.add(KeyPair.generate(random));
    }
    int perNamespace = Math.max(1, blockPayloadBytes / payloadBytes / namespaces.size());
    List<Block> blocks = new ArrayList<>();
    long nonce = 0;
    long transactions = 0;
    Hash parent = Hash.ZERO;
    while (transactions * payloadBytes < totalPayloadBytes) {
      List<Transaction> txs = new ArrayList<>();
      for (int n = 0; n < namespaces.size(); n++) {
        for (int i = 0; i < perNamespace; i++) {
          byte[] payload = new byte[payloadBytes];
          random.nextBytes(payload);
          txs.add(Transaction.sign(CHAIN, namespaces.get(n), nonce + i, 1, payload, senders.get(n)));
        }
      }
      nonce += perNamespace;
      transactions += txs.size();
      Block block = Block.build(CHAIN, blocks.size() + 1, parent, 1_000L * (blocks.size() + 1),
          senders.get(0).publicKey(), txs);
      blocks.add(block);
      parent = block.hash();
    }
    return new SyntheticChain(List.copyOf(blocks), List.copyOf(namespaces), payloadBytes, transactions);
  }

  List<Namespace> namespaces() {
    return namespaces;
  }

  int payloadBytes() {
    return payloadBytes;
  }

  long transactionCount() {
    return transactions;
  }

  long totalPayloadBytes() {
    return transactions * payloadBytes;
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
