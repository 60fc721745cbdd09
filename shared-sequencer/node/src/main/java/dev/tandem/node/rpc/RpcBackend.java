package dev.tandem.node.rpc;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.mempool.RejectionLog;
import dev.tandem.node.store.NodeStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** What the JSON-RPC layer needs from the node. Every method may block (LMDB); call off the event loop. */
public interface RpcBackend {
  NodeConfig config();

  PublicKey nodeKey();

  /**
   * Admits a hex-encoded transaction in two steps: checks it and queues its durable write, throwing
   * {@code AdmissionException} with the reason if it is refused; the returned supplier waits until
   * it is durable. The calls of one JSON-RPC batch start together so that one store commit covers
   * them all. Every started submission must be finished.
   */
  Supplier<Transaction> startSubmitHex(String hex);

  /**
   * Prepares hex-encoded transactions that are about to be submitted together (one JSON-RPC batch):
   * checks their signatures in one batch verification, so that their submissions need not verify
   * them one by one, and lets them leave in one gossip message. Skips what does not decode (its
   * submission reports why); never throws. The returned action must run once every submission has
   * started.
   */
  default Runnable prepareSubmissions(List<String> hexes) {
    return () -> {};
  }

  long finalizedHeight();

  Optional<Block> block(long height);

  Optional<dev.tandem.core.BlockHeader> header(long height);

  Optional<NodeStore.TxLocation> locate(Hash txId);

  Optional<Transaction> pending(Hash txId);

  boolean isOrderable(Transaction tx);

  Optional<RejectionLog.Rejection> rejection(Hash txId);

  long nextNonce(PublicKey sender);

  int mempoolSize();

  List<Hash> pendingIds();

  /** Equivocation evidence the node's consensus saw. */
  List<dev.tandem.bft.Equivocation> equivocations();

  /** Atomic bundles: submit, cancel, statuses with receipts. */
  dev.tandem.node.bundles.BundleService bundles();

  /** The quorum certificate of a finalized block; always empty on a node without consensus. */
  Optional<dev.tandem.bft.quorum.QuorumCertificate> certificate(long height);
}
