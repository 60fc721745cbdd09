package dev.tandem.adapters.opstack;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.crypto.Hash;

/**
 * Turns a rollup's ordered L2 transactions into OP Stack batcher payloads, deterministically: the
 * same transactions, engine answers and config always give the same bytes.
 *
 * <p>Transactions are packed in order into L2 blocks (one singular batch each) up to the block
 * limits; the engine view supplies each block's parent hash, L1 origin and timestamp. Batches are
 * packed in order into channels up to the max RLP bytes per channel, channels are compressed and
 * split into frames, and each frame becomes one payload: calldata ({@code 0x00 ++ frame}) or one
 * blob carrying that. The channel id is the first 16 bytes of a hash of the channel's first block
 * number and content, so it is unique per channel and reproducible.
 */
public final class OpStackBatcher {
  /** Deposit transactions (type 0x7E) never appear in batches; the derivation pipeline rejects them. */
  private static final int DEPOSIT_TX_TYPE = 0x7E;
  // Room for a span batch's prefix over the sum of its blocks' singular encodings, which the
  // column encoding does not exceed otherwise (it drops ~70 bytes of per-block fields and v).
  private static final long SPAN_OVERHEAD_MARGIN = 64;
  private static final byte[] CHANNEL_ID_DOMAIN = "tandem/op-channel/v1".getBytes(StandardCharsets.US_ASCII);

  /**
   * Span batch settings: the rollup's L2 genesis timestamp and chain id.
   */
  public record SpanBatches(long genesisTimestamp, BigInteger chainId) {
    public SpanBatches {
      if (chainId.signum() <= 0) {
        throw new IllegalArgumentException("chain id must be positive");
      }
    }
  }

  /**
   * @param compression channel compression (Brotli needs Fjord on the rollup)
   * @param maxRlpBytesPerChannel uncompressed channel limit; 10,000,000 before Fjord
   * @param maxCalldataSize the largest calldata payload, version byte included
   * @param maxTransactionsPerBlock the most transactions packed into one L2 block
   * @param maxBlockBytes the most transaction bytes packed into one L2 block
   * @param spanBatches null for singular batches (one per block); otherwise one span batch per
   *     channel (needs Delta on the rollup)
   */
  public record Config(ChannelCompression compression, long maxRlpBytesPerChannel, int maxCalldataSize,
      int maxTransactionsPerBlock, int maxBlockBytes, SpanBatches spanBatches) {
    public Config {
      if (maxRlpBytesPerChannel < 1 || maxTransactionsPerBlock < 1 || maxBlockBytes < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
      if (maxCalldataSize < 1 + Frame.OVERHEAD + 1) {
        throw new IllegalArgumentException("max calldata size " + maxCalldataSize + " cannot hold a frame");
      }
    }

    /** Singular batches. */
    public Config(ChannelCompression compression, long maxRlpBytesPerChannel, int maxCalldataSize,
        int maxTransactionsPerBlock, int maxBlockBytes) {
      this(compression, maxRlpBytesPerChannel, maxCalldataSize, maxTransactionsPerBlock, maxBlockBytes, null);
    }

    /** Zlib, singular batches, the pre-Fjord channel limit, op-batcher's 120,000-byte calldata transactions. */
    public static Config defaults() {
      return new Config(ChannelCompression.ZLIB, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, 120_000,
          1_000, 1_000_000);
    }

    public Config withCompression(ChannelCompression c) {
      return new Config(c, maxRlpBytesPerChannel, maxCalldataSize, maxTransactionsPerBlock, maxBlockBytes,
          spanBatches);
    }

    public Config withSpanBatches(long genesisTimestamp, BigInteger chainId) {
      return new Config(compression, maxRlpBytesPerChannel, maxCalldataSize, maxTransactionsPerBlock,
          maxBlockBytes, new SpanBatches(genesisTimestamp, chainId));
    }
  }

  /**
   * What one call produced.
   *
   * @param firstBlockNumber the L2 block number of the first batch
   * @param batches one per L2 block, in order
   * @param payloads calldata payloads or 131072-byte blobs, in submission order
   */
  public record Output(long firstBlockNumber, List<SingularBatch> batches, List<byte[]> payloads) {
    public Output {
      batches = List.copyOf(batches);
      payloads = payloads.stream().map(byte[]::clone).toList();
    }

    @Override
    public List<byte[]> payloads() {
      return payloads.stream().map(byte[]::clone).toList();
    }

    /** The block number the next call should start at. */
    public long nextBlockNumber() {
      return firstBlockNumber + batches.size();
    }
  }

  private final Config config;

  public OpStackBatcher(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  /** Batcher payloads as calldata, each at most {@code maxCalldataSize} bytes. */
  public Output calldata(long firstBlockNumber, List<byte[]> transactions, L2EngineView engine) {
    return calldataForBlocks(firstBlockNumber, packBlocks(transactions), engine);
  }

  /** Batcher payloads as EIP-4844 blobs (version-0 blob encoding, one frame per blob). */
  public Output blobs(long firstBlockNumber, List<byte[]> transactions, L2EngineView engine) {
    return blobsForBlocks(firstBlockNumber, packBlocks(transactions), engine);
  }

  /** As {@link #calldata}, with the L2 block boundaries given by the caller. */
  public Output calldataForBlocks(long firstBlockNumber, List<List<byte[]>> blocks, L2EngineView engine) {
    List<SingularBatch> batches = batches(firstBlockNumber, blocks, engine);
    List<byte[]> payloads = new ArrayList<>();
    for (Frame frame : frames(firstBlockNumber, batches, engine, config.maxCalldataSize() - 1)) {
      payloads.add(Frames.encodeBatcherData(List.of(frame)));
    }
    return new Output(firstBlockNumber, batches, payloads);
  }

  /** As {@link #blobs}, with the L2 block boundaries given by the caller. */
  public Output blobsForBlocks(long firstBlockNumber, List<List<byte[]>> blocks, L2EngineView engine) {
    List<SingularBatch> batches = batches(firstBlockNumber, blocks, engine);
    List<byte[]> payloads = new ArrayList<>();
    for (Frame frame : frames(firstBlockNumber, batches, engine, BlobCodec.MAX_DATA_SIZE - 1)) {
      payloads.add(BlobCodec.encode(Frames.encodeBatcherData(List.of(frame))));
    }
    return new Output(firstBlockNumber, batches, payloads);
  }

  /** Packs transactions in order into blocks within the per-block limits. */
  public List<List<byte[]>> packBlocks(List<byte[]> transactions) {
    List<List<byte[]>> blocks = new ArrayList<>();
    List<byte[]> current = new ArrayList<>();
    long currentBytes = 0;
    for (byte[] tx : transactions) {
      checkTransaction(tx);
      if (tx.length > config.maxBlockBytes()) {
        throw new IllegalArgumentException("transaction of " + tx.length + " bytes exceeds the block limit of "
            + config.maxBlockBytes());
      }
      if (!current.isEmpty() && (current.size() == config.maxTransactionsPerBlock()
          || currentBytes + tx.length > config.maxBlockBytes())) {
        blocks.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(tx);
      currentBytes += tx.length;
    }
    if (!current.isEmpty()) {
      blocks.add(current);
    }
    return blocks;
  }

  private List<SingularBatch> batches(long firstBlockNumber, List<List<byte[]>> blocks, L2EngineView engine) {
    if (firstBlockNumber < 0) {
      throw new IllegalArgumentException("negative block number " + firstBlockNumber);
    }
    List<SingularBatch> batches = new ArrayList<>(blocks.size());
    for (int i = 0; i < blocks.size(); i++) {
      blocks.get(i).forEach(OpStackBatcher::checkTransaction);
      batches.add(SingularBatch.of(engine.blockAttributes(firstBlockNumber + i), blocks.get(i)));
    }
    return batches;
  }

  private static void checkTransaction(byte[] tx) {
    if (tx.length == 0) {
      throw new IllegalArgumentException("empty transaction cannot go into an OP Stack batch");
    }
    if ((tx[0] & 0xFF) == DEPOSIT_TX_TYPE) {
      throw new IllegalArgumentException("deposit transactions (type 0x7E) cannot go into an OP Stack batch");
    }
  }

  /**
   * Packs batches into channels in order and splits each into frames of at most maxFrameSize. In
   * span mode each channel carries one span batch of its blocks.
   */
  private List<Frame> frames(long firstBlockNumber, List<SingularBatch> batches, L2EngineView engine,
      int maxFrameSize) {
    List<Frame> frames = new ArrayList<>();
    long margin = config.spanBatches() == null ? 0 : SPAN_OVERHEAD_MARGIN;
    int start = 0;
    while (start < batches.size()) {
      long size = 0;
      int end = start;
      while (end < batches.size()) {
        long next = Rlp.encodeString(batches.get(end).encode()).length;
        if (size + next + margin > config.maxRlpBytesPerChannel()) {
          break;
        }
        size += next;
        end++;
      }
      if (end == start) {
        throw new IllegalArgumentException("the batch of L2 block " + (firstBlockNumber + start)
            + " alone exceeds " + config.maxRlpBytesPerChannel() + " RLP bytes per channel");
      }
      List<SingularBatch> channelBatches = batches.subList(start, end);
      List<? extends OpBatch> content = channelBatches;
      if (config.spanBatches() != null) {
        long blockNumber = firstBlockNumber + start;
        boolean originChanged = start > 0
            ? batches.get(start - 1).epochNumber() != channelBatches.get(0).epochNumber()
            : blockNumber == 0 || engine.blockAttributes(blockNumber - 1).epochNumber()
                != channelBatches.get(0).epochNumber();
        content = List.of(SpanBatch.fromSingularBatches(channelBatches, config.spanBatches().genesisTimestamp(),
            originChanged, config.spanBatches().chainId()));
      }
      byte[] channel = ChannelCodec.encode(content, config.compression(), config.maxRlpBytesPerChannel());
      frames.addAll(Frames.split(channelId(firstBlockNumber + start, channel), channel, maxFrameSize));
      start = end;
    }
    return frames;
  }

  private static byte[] channelId(long firstBlockNumber, byte[] channel) {
    byte[] preimage = ByteBuffer.allocate(CHANNEL_ID_DOMAIN.length + 8 + channel.length)
        .put(CHANNEL_ID_DOMAIN).putLong(firstBlockNumber).put(channel).array();
    return Arrays.copyOf(Hash.sha3(preimage), Frame.CHANNEL_ID_LENGTH);
  }
}
