package dev.tandem.adapters.opstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.adapters.InMemoryLog;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.da.DaException;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import dev.tandem.da.eth.EthereumDa;
import dev.tandem.testsupport.AnvilProcess;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * The OP Stack adapter posting frames as calldata to a real anvil L1 through EthereumDa, read back
 * from the inbox's transactions as op-node would, with a crash between posting and checkpointing.
 */
@Timeout(120)
class OpStackAdapterTest {
  private static final long L1_CHAIN_ID = 31_900;
  private static final long L2_CHAIN_ID = 901;
  private static final Namespace ROLLUP = Namespace.of(901);
  private static final String INBOX = BatchInbox.addressHex(L2_CHAIN_ID);
  private static final long FIRST_L2_BLOCK = 10;
  private static final StaticL2EngineView ENGINE = new StaticL2EngineView(5, new byte[32], 1_000, 2);
  /** Small frames, so that one range takes several posts. */
  private static final OpStackBatcher BATCHER = new OpStackBatcher(new OpStackBatcher.Config(ChannelCompression.ZLIB,
      ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, 400, 1_000, 1_000_000));

  private final KeyPair tandemKey = KeyPair.generate(new Random(3));
  private final Random random = new Random(4);
  private AnvilProcess anvil;
  private Web3j web3j;

  /** The finalized log in memory, as a node would serve it. */
  private final class Log extends InMemoryLog {
    Log() {
      super(tandemKey);
    }

    void append(List<byte[]> rollupPayloads) {
      appendRollupBlock(ROLLUP, rollupPayloads, Namespace.of(7), new byte[] {1, 2});
    }
  }


  /** Posts through the real layer, then fails once after {@code crashAfter} posts, as a crash before the checkpoint. */
  private static final class CrashingDa implements DaLayer {
    final DaLayer inner;
    int remaining;

    CrashingDa(DaLayer inner, int crashAfter) {
      this.inner = inner;
      this.remaining = crashAfter;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public DaReceipt post(long namespace, byte[] data, byte[] key) throws DaException {
      DaReceipt receipt = inner.post(namespace, data, key);
      if (--remaining == 0) {
        throw new IllegalStateException("simulated crash after a post");
      }
      return receipt;
    }

    @Override
    public byte[] fetch(DaReceipt receipt) throws DaException {
      return inner.fetch(receipt);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @BeforeEach
  void start() {
    anvil = AnvilProcess.start(L1_CHAIN_ID);
    web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
  }

  @AfterEach
  void stop() {
    if (web3j != null) {
      web3j.shutdown();
    }
    if (anvil != null) {
      anvil.close();
    }
  }

  private EthereumDa l1(Path journal) {
    return new EthereumDa(new EthereumDa.Config(anvil.rpcUrl(), L1_CHAIN_ID, AnvilProcess.DEV_PRIVATE_KEY, INBOX,
        EthereumDa.Mode.CALLDATA, BigInteger.valueOf(100_000_000_000L), BigInteger.valueOf(1_000_000_000L),
        BigInteger.ZERO, Duration.ofSeconds(30), journal));
  }

  /** {@code log} as a node whose log ends at {@code height} sees it. */
  private static FinalizedBlockSource endingAt(InMemoryLog log, long height) {
    return new FinalizedBlockSource() {
      @Override
      public long finalizedHeight() {
        return height;
      }

      @Override
      public Block block(long at) {
        if (at > height) {
          throw new IllegalArgumentException("height " + at + " is not finalized here");
        }
        return log.block(at);
      }

      @Override
      public byte[] certificate(long at) {
        return log.certificate(at);
      }
    };
  }

  private byte[] l2Tx(int size) {
    byte[] tx = new byte[size];
    random.nextBytes(tx);
    tx[0] = 0x02;
    return tx;
  }

  /** Every calldata sent to the inbox, in L1 order: what op-node's derivation reads. */
  private List<byte[]> inboxCalldata() throws Exception {
    List<byte[]> out = new ArrayList<>();
    long latest = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    for (long n = 0; n <= latest; n++) {
      EthBlock.Block block = web3j.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(n)), true)
          .send().getBlock();
      for (EthBlock.TransactionResult<?> result : block.getTransactions()) {
        EthBlock.TransactionObject tx = (EthBlock.TransactionObject) result.get();
        if (INBOX.equalsIgnoreCase(tx.getTo())) {
          out.add(Numeric.hexStringToByteArray(tx.getInput()));
        }
      }
    }
    return out;
  }

  private static List<SingularBatch> read(List<byte[]> calldata) {
    return OpStackReader.fromCalldata(calldata, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK).stream()
        .map(SingularBatch.class::cast).toList();
  }

  @Test
  void postsFramesOnceAcrossACrashAndTheyDecodeToTheNamespacesTransactionsInLogOrder(@TempDir Path dir)
      throws Exception {
    Log log = new Log();
    List<byte[]> block1 = List.of(l2Tx(300), l2Tx(250), l2Tx(200));
    List<byte[]> block3 = List.of(l2Tx(280), l2Tx(120));
    log.append(block1);
    log.append(List.of());
    List<byte[]> block3WithDeposit = new ArrayList<>(block3);
    block3WithDeposit.add(1, new byte[] {0x7E, 1, 2, 3});
    log.append(block3WithDeposit);
    int expectedFrames = BATCHER.calldataForBlocks(FIRST_L2_BLOCK, List.of(block1, block3), ENGINE).payloads().size();
    assertThat(expectedFrames).as("the range takes several frames").isGreaterThan(3);

    Path checkpointFile = dir.resolve("opstack").resolve(ROLLUP.toHex());
    Path journal = dir.resolve("journal");
    try (CrashingDa crashing = new CrashingDa(l1(journal), 2)) {
      OpStackAdapter adapter = new OpStackAdapter(ROLLUP, log, BATCHER, ENGINE, crashing,
          new OpStackCheckpoint(checkpointFile, FIRST_L2_BLOCK), 64, false);
      assertThatThrownBy(adapter::step).hasMessageContaining("simulated crash");
      assertThat(adapter.deliveredHeight()).isZero();
    }
    assertThat(inboxCalldata()).as("two frames went out before the crash").hasSize(2);
    assertThat(new OpStackCheckpoint(checkpointFile, FIRST_L2_BLOCK).load().pending())
        .hasValue(new OpStackCheckpoint.Pending(1, 3, FIRST_L2_BLOCK));

    try (EthereumDa restarted = l1(journal)) {
      // A machine crash can undo a validator's last block write: until block sync brings block 3
      // back, the range in flight waits rather than failing on a block the log does not have.
      OpStackAdapter behind = new OpStackAdapter(ROLLUP, endingAt(log, 2), BATCHER, ENGINE, restarted,
          new OpStackCheckpoint(checkpointFile, FIRST_L2_BLOCK), 64, false);
      assertThat(behind.step()).isFalse();
      assertThat(inboxCalldata()).hasSize(2);
      OpStackAdapter adapter = new OpStackAdapter(ROLLUP, log, BATCHER, ENGINE, restarted,
          new OpStackCheckpoint(checkpointFile, FIRST_L2_BLOCK), 64, false);
      assertThat(adapter.step()).isTrue();
      assertThat(adapter.step()).as("idle at the finalized tip").isFalse();
      assertThat(adapter.deliveredHeight()).isEqualTo(3);

      List<byte[]> calldata = inboxCalldata();
      assertThat(calldata).as("each frame posted exactly once").hasSize(expectedFrames);
      List<SingularBatch> batches = read(calldata);
      assertThat(batches).as("one L2 block per Tandem block with the namespace's transactions").hasSize(2);
      assertThat(batches.get(0).transactions()).containsExactlyElementsOf(block1);
      assertThat(batches.get(1).transactions()).as("the deposit is left out").containsExactlyElementsOf(block3);
      assertThat(batches.get(0).timestamp()).isEqualTo(ENGINE.blockAttributes(FIRST_L2_BLOCK).timestamp());
      assertThat(batches.get(1).parentHash()).isEqualTo(ENGINE.blockAttributes(FIRST_L2_BLOCK + 1).parentHash());
      assertThat(batches.get(0).epochNumber()).isEqualTo(5);

      // The next range continues the L2 block numbers where the checkpoint left them.
      List<byte[]> block4 = List.of(l2Tx(90));
      log.append(block4);
      assertThat(adapter.step()).isTrue();
      List<SingularBatch> all = read(inboxCalldata());
      assertThat(all).hasSize(3);
      assertThat(all.get(2).transactions()).containsExactlyElementsOf(block4);
      assertThat(all.get(2).timestamp()).isEqualTo(ENGINE.blockAttributes(FIRST_L2_BLOCK + 2).timestamp());
      assertThat(new OpStackCheckpoint(checkpointFile, FIRST_L2_BLOCK).load())
          .isEqualTo(new OpStackCheckpoint.State(5, FIRST_L2_BLOCK + 3, java.util.Optional.empty()));
    }
  }

  /**
   * Blob submission: each frame is one OP Stack version-0 blob, posted unchanged by EthereumDa in
   * RAW_BLOBS mode; the blobs read back from anvil by their versioned hashes decode with the
   * blob derivation path to the namespace's transactions.
   */
  @Test
  void postsFramesAsOpStackBlobsThatDeriveBack(@TempDir Path dir) throws Exception {
    Log log = new Log();
    List<byte[]> block1 = List.of(l2Tx(300), l2Tx(250));
    List<byte[]> block2 = List.of(l2Tx(400));
    log.append(block1);
    log.append(block2);
    List<DaReceipt> receipts = new ArrayList<>();
    try (EthereumDa blobs = new EthereumDa(new EthereumDa.Config(anvil.rpcUrl(), L1_CHAIN_ID,
        AnvilProcess.DEV_PRIVATE_KEY, INBOX, EthereumDa.Mode.RAW_BLOBS, BigInteger.valueOf(100_000_000_000L),
        BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(100_000_000_000L), Duration.ofSeconds(30),
        dir.resolve("journal")))) {
      DaLayer recording = new DaLayer() {
        @Override
        public String name() {
          return blobs.name();
        }

        @Override
        public DaReceipt post(long namespace, byte[] data, byte[] key) throws DaException {
          assertThat(data).hasSize(BlobCodec.BLOB_SIZE);
          DaReceipt receipt = blobs.post(namespace, data, key);
          receipts.add(receipt);
          return receipt;
        }

        @Override
        public byte[] fetch(DaReceipt receipt) throws DaException {
          return blobs.fetch(receipt);
        }

        @Override
        public void close() {
        }
      };
      OpStackAdapter adapter = new OpStackAdapter(ROLLUP, log, BATCHER, ENGINE, recording,
          new OpStackCheckpoint(dir.resolve("checkpoint"), FIRST_L2_BLOCK), 64, true);
      assertThat(adapter.step()).isTrue();
      assertThat(adapter.deliveredHeight()).isEqualTo(2);
      List<byte[]> fetched = new ArrayList<>();
      for (DaReceipt receipt : receipts) {
        fetched.add(blobs.fetch(receipt));
      }
      assertThat(fetched).isNotEmpty();
      List<SingularBatch> batches = OpStackReader.fromBlobs(fetched, ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK)
          .stream().map(SingularBatch.class::cast).toList();
      assertThat(batches).hasSize(2);
      assertThat(batches.get(0).transactions()).containsExactlyElementsOf(block1);
      assertThat(batches.get(1).transactions()).containsExactlyElementsOf(block2);
      // Not a whole blob: refused with the reason, nothing sent.
      assertThatThrownBy(() -> blobs.post(ROLLUP.id(), new byte[100], new byte[] {9}))
          .hasMessageContaining("whole blobs");
    }
  }

  @Test
  void aRangeWithoutTheNamespacesTransactionsAdvancesWithoutPosting(@TempDir Path dir) throws Exception {
    Log log = new Log();
    log.append(List.of());
    log.append(List.of());
    try (EthereumDa da = l1(dir.resolve("journal"))) {
      OpStackAdapter adapter = new OpStackAdapter(ROLLUP, log, BATCHER, ENGINE, da,
          new OpStackCheckpoint(dir.resolve("ckpt"), 0), 64, false);
      assertThat(adapter.step()).isTrue();
      assertThat(adapter.deliveredHeight()).isEqualTo(2);
      assertThat(adapter.step()).isFalse();
    }
    assertThat(inboxCalldata()).isEmpty();
  }

  @Test
  void aDamagedCheckpointFileIsAClearError(@TempDir Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("ckpt"), "v1 12 banana\n");
    assertThatThrownBy(() -> new OpStackCheckpoint(dir.resolve("ckpt"), 0).load())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("damaged").hasMessageContaining("v1 12 banana");
  }
}
