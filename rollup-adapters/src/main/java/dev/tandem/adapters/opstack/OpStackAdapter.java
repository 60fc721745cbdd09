package dev.tandem.adapters.opstack;

import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import dev.tandem.da.DaLayer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one namespace of the finalized log into OP Stack batcher frames on a DA layer.
 *
 * <p>Each {@link #step()} takes the next range of at most {@code maxBlocksPerChannel} finalized
 * blocks, checks every block's namespace slice against its header, and makes the namespace's
 * transactions of each Tandem block into the next L2 block(s) (more than one only when a block
 * exceeds the batcher's per-block limits); the L2 engine supplies each L2 block's parent hash, L1
 * origin and timestamp. The frames go to the DA layer one post each, as {@code 0x00 ++ frame}, each
 * under the idempotency key {@link #frameKey}(namespace, range, frame index); then the checkpoint
 * advances. The range is written to the checkpoint before the first post, so a restart rebuilds the
 * same frames and the DA layer answers the ones already posted with their earlier receipts instead
 * of posting them again. A range without transactions of the namespace advances the checkpoint
 * without posting. Payloads that cannot go into a batch (empty, or deposits of type 0x7E) are
 * logged and left out. Not thread-safe: one thread drives an adapter.
 */
public final class OpStackAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(OpStackAdapter.class);
  private static final byte[] KEY_DOMAIN = "tandem/op-frame/v1".getBytes(StandardCharsets.US_ASCII);

  private final Namespace namespace;
  private final FinalizedBlockSource source;
  private final OpStackBatcher batcher;
  private final L2EngineView engine;
  private final DaLayer da;
  private final OpStackCheckpoint checkpoint;
  private final int maxBlocksPerChannel;
  private final boolean blobs;

  /**
   * @param batcher its {@code maxCalldataSize} bounds every calldata post (version byte included)
   * @param maxBlocksPerChannel the most Tandem blocks one step reads
   * @param blobs post each frame as one OP Stack version-0 blob ({@link BlobCodec}; the DA layer
   *     must post blobs unchanged, e.g. {@code EthereumDa} in RAW_BLOBS mode), else as calldata
   */
  public OpStackAdapter(Namespace namespace, FinalizedBlockSource source, OpStackBatcher batcher, L2EngineView engine,
      DaLayer da, OpStackCheckpoint checkpoint, int maxBlocksPerChannel, boolean blobs) {
    if (maxBlocksPerChannel < 1) {
      throw new IllegalArgumentException("maxBlocksPerChannel must be positive");
    }
    this.namespace = namespace;
    this.source = source;
    this.batcher = batcher;
    this.engine = engine;
    this.da = da;
    this.checkpoint = checkpoint;
    this.maxBlocksPerChannel = maxBlocksPerChannel;
    this.blobs = blobs;
  }

  public Namespace namespace() {
    return namespace;
  }

  /** The last Tandem height whose transactions are posted (0 before the first). */
  public long deliveredHeight() {
    return checkpoint.load().nextHeight() - 1;
  }

  /** The idempotency key of frame {@code frameIndex} of the range {@code firstHeight..lastHeight}. */
  public static byte[] frameKey(Namespace namespace, long firstHeight, long lastHeight, int frameIndex) {
    return org.web3j.crypto.Hash.sha3(ByteBuffer.allocate(KEY_DOMAIN.length + 28).put(KEY_DOMAIN)
        .putLong(namespace.id()).putLong(firstHeight).putLong(lastHeight).putInt(frameIndex).array());
  }

  /**
   * Posts the next range (or the range a restart left in flight). Returns true if it advanced.
   *
   * @throws Exception from the DA layer or the engine; the checkpoint keeps the range in flight
   */
  public boolean step() throws Exception {
    OpStackCheckpoint.State state = checkpoint.load();
    long first;
    long last;
    long firstL2;
    if (state.pending().isPresent()) {
      OpStackCheckpoint.Pending pending = state.pending().get();
      first = pending.firstHeight();
      last = pending.lastHeight();
      firstL2 = pending.firstL2Block();
      if (last > source.finalizedHeight()) {
        // The log lost blocks the frames were cut from (a machine crash can undo a validator's last
        // block write); block sync brings the same blocks back.
        return false;
      }
      LOG.info("namespace {}: re-posting the frames of heights {}..{} left in flight by a restart", namespace, first,
          last);
    } else {
      long finalized = source.finalizedHeight();
      if (state.nextHeight() > finalized) {
        return false;
      }
      first = state.nextHeight();
      last = Math.min(finalized, first + maxBlocksPerChannel - 1);
      firstL2 = state.nextL2Block();
    }
    List<List<byte[]>> l2Blocks = new ArrayList<>();
    for (long height = first; height <= last; height++) {
      List<byte[]> payloads = payloads(height);
      if (!payloads.isEmpty()) {
        l2Blocks.addAll(batcher.packBlocks(payloads));
      }
    }
    if (l2Blocks.isEmpty()) {
      checkpoint.save(new OpStackCheckpoint.State(last + 1, firstL2, java.util.Optional.empty()));
      return true;
    }
    if (state.pending().isEmpty()) {
      checkpoint.save(new OpStackCheckpoint.State(first, firstL2,
          java.util.Optional.of(new OpStackCheckpoint.Pending(first, last, firstL2))));
    }
    OpStackBatcher.Output output = blobs ? batcher.blobsForBlocks(firstL2, l2Blocks, engine)
        : batcher.calldataForBlocks(firstL2, l2Blocks, engine);
    List<byte[]> frames = output.payloads();
    for (int i = 0; i < frames.size(); i++) {
      da.post(namespace.id(), frames.get(i), frameKey(namespace, first, last, i));
    }
    checkpoint.save(new OpStackCheckpoint.State(last + 1, output.nextBlockNumber(), java.util.Optional.empty()));
    LOG.debug("namespace {}: posted heights {}..{} as L2 blocks {}..{} in {} frame(s) to {}", namespace, first, last,
        firstL2, output.nextBlockNumber() - 1, frames.size(), da.name());
    return true;
  }

  /** The namespace's payloads at {@code height} that can go into a batch, after checking the slice. */
  private List<byte[]> payloads(long height) {
    Block block = source.block(height);
    NamespaceSlice slice = block.slice(namespace);
    Verification check = slice.verify(block.header());
    if (!check.valid()) {
      throw new IllegalStateException("namespace " + namespace + ": finalized block " + height + " does not verify ("
          + check.reason() + "); the block source is corrupt");
    }
    List<byte[]> payloads = new ArrayList<>();
    List<Transaction> txs = slice.transactions();
    for (int i = 0; i < txs.size(); i++) {
      byte[] payload = txs.get(i).payload();
      if (payload.length == 0 || (payload[0] & 0xFF) == 0x7E) {
        LOG.warn("namespace {}: leaving transaction #{} of block {} out of the batch: {}", namespace, i, height,
            payload.length == 0 ? "empty payload" : "a deposit transaction (type 0x7E) cannot be batched");
        continue;
      }
      if (payload.length > batcher.config().maxBlockBytes()) {
        LOG.warn("namespace {}: leaving transaction #{} of block {} out of the batch: {} bytes exceed the L2 block "
            + "limit of {}", namespace, i, height, payload.length, batcher.config().maxBlockBytes());
        continue;
      }
      payloads.add(payload);
    }
    return payloads;
  }
}
