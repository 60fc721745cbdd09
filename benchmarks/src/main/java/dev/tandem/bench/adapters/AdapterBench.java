package dev.tandem.bench.adapters;

import dev.tandem.adapters.generic.CheckpointStore;
import dev.tandem.adapters.generic.GenericAdapter;
import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.core.Block;
import dev.tandem.core.Namespace;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import dev.tandem.da.eth.BlobPacking;
import dev.tandem.da.eth.EthereumDa;
import dev.tandem.da.local.LocalDa;
import dev.tandem.testsupport.AnvilProcess;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.tuweni.bytes.Bytes;
import org.web3j.crypto.Blob;
import org.web3j.crypto.BlobUtils;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.crypto.transaction.type.Transaction4844;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;

/**
 * Rollup payload turned into posted batches per second: the generic adapter over a synthetic
 * finalized log (four rollup namespaces, one adapter each, LMDB checkpoints on disk) posting to the
 * local DA (LMDB on disk) and as EIP-4844 blobs to a real anvil ({@code --hardfork prague}), each
 * next to baselines in the same run: the DA layer posting the very same batch bytes without the
 * adapter, and for blobs the transport alone (pre-signed blob transactions). Every pass checks that
 * every transaction was posted and reads every batch back. A small unreported pass warms each layer up.
 *
 * <p>Usage: {@code benchmarks/run.sh adapters [layers] [payloadSizes] [localMiB] [anvilMiB]},
 * defaults {@code local,anvil 256,4096 32 8}.
 */
public final class AdapterBench {
  static final List<Namespace> NAMESPACES = List.of(Namespace.of(101), Namespace.of(102), Namespace.of(103),
      Namespace.of(104));
  static final int BLOCK_PAYLOAD_BYTES = 64 * 1024;
  private static final long ANVIL_CHAIN = 31_337;
  private static final String INBOX = "0x0031e396976d1d09fba39348dc2bacc5eeba6be6";
  private static final int KZG_SAMPLE_BLOBS = 16;

  private AdapterBench() {}

  /**
   * One timed pass over a whole chain, by the adapter ({@code path} "adapter") or by the DA layer
   * alone with the adapter's batches ("raw"). {@code postSeconds} is the time inside the DA
   * layer's {@code post}; {@code readBack} counts batches fetched back byte for byte afterwards.
   */
  public record Result(String layer, String path, int payloadBytes, long transactions, long payload, long batchBytes,
      int batches, int blobs, double seconds, double postSeconds, int readBack) {
    public double payloadMegabytesPerSecond() {
      return payload / seconds / 1e6;
    }

    public double batchMegabytesPerSecond() {
      return batchBytes / seconds / 1e6;
    }
  }

  /** The adapter's own work on the same batches, timed outside it: slicing with proofs, verifying, encoding. */
  public record Breakdown(double sliceSeconds, double verifySeconds, double encodeSeconds) {}

  /** KZG work per blob (web3j over c-kzg-4844): commitment and proof, on a sample of the posted blobs. */
  public record Kzg(int blobs, double commitMillis, double proofMillis) {}

  /**
   * Adapter pass, raw baseline and breakdown for one layer and payload size; for blobs also the
   * transport alone ({@code send}: the same blobs in transactions signed before the clock starts,
   * {@code blobSigningSeconds} the time that signing, KZG included, took) and KZG per blob.
   */
  public record LayerRun(Result adapter, Result raw, Result send, double blobSigningSeconds, Breakdown breakdown,
      Kzg kzg) {}

  /** A batch as the adapter posted it. */
  private record Posted(Namespace namespace, byte[] bytes, DaReceipt receipt) {}

  public static void main(String[] args) throws Exception {
    List<String> layers = Arrays.asList((args.length > 0 ? args[0] : "local,anvil").split(","));
    int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "256,4096").split(",")).mapToInt(Integer::parseInt)
        .toArray();
    long localBytes = (args.length > 2 ? Long.parseLong(args[2]) : 32) << 20;
    long anvilBytes = (args.length > 3 ? Long.parseLong(args[3]) : 8) << 20;
    System.out.printf("adapter bench: %d namespaces, %d KiB of payload per block, %d cores%n", NAMESPACES.size(),
        BLOCK_PAYLOAD_BYTES / 1024, Runtime.getRuntime().availableProcessors());
    List<LayerRun> runs = new ArrayList<>();
    Path dir = Files.createTempDirectory("tandem-bench-adapters-");
    try {
      for (String layer : layers) {
        // A small pass first, not reported: JIT, the KZG trusted setup, connections.
        run(layer, dir.resolve(layer + "-warm-up"), sizes[0], 1 << 20);
        for (int size : sizes) {
          LayerRun run = run(layer, dir.resolve(layer + "-" + size), size, layer.equals("local") ? localBytes : anvilBytes);
          System.out.println(row(run.adapter()) + "\n" + row(run.raw()) + (run.send() == null ? "" : "\n" + row(run.send())));
          runs.add(run);
        }
      }
    } finally {
      delete(dir);
    }
    System.out.println();
    System.out.println("layer      path     payload  transactions  payload(MB)  batches  blobs  seconds  post(s)  payload MB/s  batch MB/s");
    for (LayerRun run : runs) {
      System.out.println(row(run.adapter()));
      System.out.println(row(run.raw()));
      if (run.send() != null) {
        System.out.println(row(run.send()));
      }
    }
    System.out.println();
    for (LayerRun run : runs) {
      Result a = run.adapter();
      Breakdown b = run.breakdown();
      System.out.printf("%s %d B: adapter/raw payload MB/s %.2f; adapter %.2f s = post %.2f s + slice %.2f s + verify %.2f s"
              + " + encode %.2f s + checkpoints and rest %.2f s%n", a.layer(), a.payloadBytes(),
          a.payloadMegabytesPerSecond() / run.raw().payloadMegabytesPerSecond(), a.seconds(), a.postSeconds(),
          b.sliceSeconds(), b.verifySeconds(), b.encodeSeconds(),
          a.seconds() - a.postSeconds() - b.sliceSeconds() - b.verifySeconds() - b.encodeSeconds());
      if (run.send() != null) {
        System.out.printf("  adapter/send payload MB/s %.2f; the %d blobs took %.2f s to sign (KZG included) and %.2f s"
                + " to send and see included%n", a.payloadMegabytesPerSecond() / run.send().payloadMegabytesPerSecond(),
            run.send().blobs(), run.blobSigningSeconds(), run.send().seconds());
      }
      if (run.kzg() != null) {
        System.out.printf("  KZG per blob (%d sampled): commitment %.1f ms, proof %.1f ms; EthereumDa computes each"
                + " once per blob: about %.2f s of the %d blobs' posting%n",
            run.kzg().blobs(), run.kzg().commitMillis(), run.kzg().proofMillis(),
            a.blobs() * (run.kzg().commitMillis() + run.kzg().proofMillis()) / 1000, a.blobs());
      }
    }
    System.exit(0);
  }

  private static LayerRun run(String layer, Path dir, int payloadBytes, long totalPayloadBytes) throws Exception {
    return switch (layer) {
      case "local" -> runLocal(dir, payloadBytes, totalPayloadBytes);
      case "anvil" -> runAnvil(dir, payloadBytes, totalPayloadBytes);
      default -> throw new IllegalArgumentException("unknown layer '" + layer + "' (local | anvil)");
    };
  }

  /** The generic adapter and the raw baseline against the local DA, each on a fresh LMDB directory. */
  public static LayerRun runLocal(Path dir, int payloadBytes, long totalPayloadBytes) throws Exception {
    SyntheticChain chain = SyntheticChain.generate(NAMESPACES, payloadBytes, totalPayloadBytes, BLOCK_PAYLOAD_BYTES,
        payloadBytes);
    List<Posted> posted = new ArrayList<>();
    Result adapter;
    try (LocalDa da = LocalDa.open(dir.resolve("da"))) {
      adapter = runAdapter("local", chain, da, dir.resolve("checkpoints"), posted);
    }
    Result raw;
    try (LocalDa da = LocalDa.open(dir.resolve("da-raw"))) {
      raw = runRaw("local", chain, da, posted);
    }
    return new LayerRun(adapter, raw, null, 0, breakdown(chain, posted), null);
  }

  /** The generic adapter and the raw baseline posting EIP-4844 blobs to one anvil. */
  public static LayerRun runAnvil(Path dir, int payloadBytes, long totalPayloadBytes) throws Exception {
    SyntheticChain chain = SyntheticChain.generate(NAMESPACES, payloadBytes, totalPayloadBytes, BLOCK_PAYLOAD_BYTES,
        payloadBytes);
    Files.createDirectories(dir);
    List<Posted> posted = new ArrayList<>();
    Result adapter;
    Result raw;
    PreSigned send;
    try (AnvilProcess anvil = AnvilProcess.start(ANVIL_CHAIN)) {
      Function<Path, EthereumDa> open = journal -> new EthereumDa(new EthereumDa.Config(anvil.rpcUrl(), ANVIL_CHAIN,
          AnvilProcess.DEV_PRIVATE_KEY, INBOX, EthereumDa.Mode.BLOBS, BigInteger.valueOf(200_000_000_000L),
          BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(100_000_000_000L), Duration.ofSeconds(60), journal));
      try (EthereumDa da = open.apply(dir.resolve("journal-warm-up"))) {
        // Two unreported posts on this anvil first, so the adapter pass does not pay for its first blocks.
        da.post(1, new byte[300_000], new byte[] {1});
        da.post(1, new byte[300_001], new byte[] {2});
      }
      try (EthereumDa da = open.apply(dir.resolve("journal"))) {
        adapter = runAdapter("anvil-blob", chain, da, dir.resolve("checkpoints"), posted);
      }
      try (EthereumDa da = open.apply(dir.resolve("journal-raw"))) {
        raw = runRaw("anvil-blob", chain, da, posted);
      }
      try (EthereumDa da = open.apply(dir.resolve("journal-send"))) {
        send = sendPreSigned(anvil.rpcUrl(), chain, da, posted);
      }
    }
    return new LayerRun(adapter, raw, send.result(), send.signingSeconds(), breakdown(chain, posted), kzg(posted));
  }

  private record PreSigned(Result result, double signingSeconds) {}

  /**
   * The blob transport alone: the adapter's batches packed into blob transactions that are all
   * signed (KZG commitments and proofs computed) before the clock starts, then sent one after the
   * other, each waiting for its successful receipt. {@code da} only reads the blobs back.
   */
  private static PreSigned sendPreSigned(String rpcUrl, SyntheticChain chain, EthereumDa da, List<Posted> batches)
      throws Exception {
    Web3j web3 = Web3j.build(new HttpService(rpcUrl));
    try {
      Credentials credentials = Credentials.create(AnvilProcess.DEV_PRIVATE_KEY);
      BigInteger nonce = web3.ethGetTransactionCount(credentials.getAddress(), DefaultBlockParameterName.PENDING).send()
          .getTransactionCount();
      List<String> raws = new ArrayList<>();
      List<List<Bytes>> versionedHashes = new ArrayList<>();
      long signStart = System.nanoTime();
      for (Posted p : batches) {
        List<Blob> blobs = BlobPacking.pack(p.bytes()).stream().map(Blob::new).toList();
        RawTransaction tx = RawTransaction.createTransaction(blobs, ANVIL_CHAIN, nonce, BigInteger.valueOf(1_000_000_000L),
            BigInteger.valueOf(200_000_000_000L), BigInteger.valueOf(21_000), INBOX, BigInteger.ZERO, "0x",
            BigInteger.valueOf(100_000_000_000L));
        raws.add(Numeric.toHexString(TransactionEncoder.signMessage(tx, credentials)));
        versionedHashes.add(((Transaction4844) tx.getTransaction()).getVersionedHashes());
        nonce = nonce.add(BigInteger.ONE);
      }
      long start = System.nanoTime();
      List<Posted> sent = new ArrayList<>();
      for (int i = 0; i < raws.size(); i++) {
        EthSendTransaction answer = web3.ethSendRawTransaction(raws.get(i)).send();
        if (answer.hasError()) {
          throw new IllegalStateException("anvil refused blob transaction " + i + ": " + answer.getError().getMessage());
        }
        TransactionReceipt receipt = awaitReceipt(web3, answer.getTransactionHash());
        ByteBuffer commitment = ByteBuffer.allocate(32 * (1 + versionedHashes.get(i).size()))
            .put(Numeric.hexStringToByteArray(answer.getTransactionHash()));
        versionedHashes.get(i).forEach(h -> commitment.put(h.toArrayUnsafe()));
        sent.add(new Posted(batches.get(i).namespace(), batches.get(i).bytes(),
            new DaReceipt(da.name(), commitment.array(), receipt.getBlockNumber().longValueExact())));
      }
      long nanos = System.nanoTime() - start;
      return new PreSigned(result("anvil-blob", "send", chain, sent, nanos, nanos, readBack(da, sent)),
          (start - signStart) / 1e9);
    } finally {
      web3.shutdown();
    }
  }

  private static TransactionReceipt awaitReceipt(Web3j web3, String txHash) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<TransactionReceipt> receipt = web3.ethGetTransactionReceipt(txHash).send().getTransactionReceipt();
      if (receipt.isPresent()) {
        if (!receipt.get().isStatusOK()) {
          throw new IllegalStateException("blob transaction " + txHash + " was included but failed");
        }
        return receipt.get();
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("blob transaction " + txHash + " not included within 60 s");
  }

  /**
   * Runs one adapter per namespace until every finalized block is batched and posted, then checks
   * the checkpoints and the posted batches cover every transaction and reads every batch back.
   */
  private static Result runAdapter(String layer, SyntheticChain chain, DaLayer da, Path checkpointDir,
      List<Posted> posted) throws Exception {
    long[] postNanos = new long[1];
    long start;
    long end;
    try (CheckpointStore checkpoints = LmdbCheckpointStore.open(checkpointDir)) {
      List<GenericAdapter> adapters = new ArrayList<>();
      for (Namespace namespace : chain.namespaces()) {
        adapters.add(new GenericAdapter(namespace, chain, (key, ns, batch) -> {
          long t0 = System.nanoTime();
          DaReceipt receipt = da.post(ns.id(), batch, key.toBytes());
          postNanos[0] += System.nanoTime() - t0;
          posted.add(new Posted(ns, batch, receipt));
          return receipt.encode();
        }, checkpoints, GenericAdapter.Limits.defaults()));
      }
      start = System.nanoTime();
      for (GenericAdapter adapter : adapters) {
        while (adapter.step()) {
          // one batch per step
        }
      }
      end = System.nanoTime();
      for (Namespace namespace : chain.namespaces()) {
        CheckpointStore.Progress progress = checkpoints.progress(namespace);
        if (progress.nextHeight() != chain.finalizedHeight() + 1 || progress.pending().isPresent()) {
          throw new IllegalStateException("namespace " + namespace + " stopped at height " + progress.nextHeight()
              + " of " + chain.finalizedHeight() + (progress.pending().isPresent() ? " with a batch pending" : ""));
        }
      }
    }
    long transactions = 0;
    for (Posted p : posted) {
      transactions += GenericBatch.decode(p.bytes()).transactionCount();
    }
    if (transactions != chain.transactionCount()) {
      throw new IllegalStateException("posted batches hold " + transactions + " of " + chain.transactionCount()
          + " transactions");
    }
    return result(layer, "adapter", chain, posted, end - start, postNanos[0], readBack(da, posted));
  }

  /** The DA layer alone posting the adapter's batch bytes again, under fresh idempotency keys. */
  private static Result runRaw(String layer, SyntheticChain chain, DaLayer da, List<Posted> batches) throws Exception {
    List<Posted> again = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < batches.size(); i++) {
      Posted p = batches.get(i);
      byte[] key = ByteBuffer.allocate(12).put("raw:".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putLong(i)
          .array();
      again.add(new Posted(p.namespace(), p.bytes(), da.post(p.namespace().id(), p.bytes(), key)));
    }
    long nanos = System.nanoTime() - start;
    return result(layer, "raw", chain, again, nanos, nanos, readBack(da, again));
  }

  private static int readBack(DaLayer da, List<Posted> posted) throws Exception {
    int same = 0;
    for (Posted p : posted) {
      if (Arrays.equals(da.fetch(p.receipt()), p.bytes())) {
        same++;
      }
    }
    return same;
  }

  private static Result result(String layer, String path, SyntheticChain chain, List<Posted> posted, long nanos,
      long postNanos, int readBack) {
    long bytes = 0;
    int blobs = 0;
    for (Posted p : posted) {
      bytes += p.bytes().length;
      blobs += BlobPacking.blobsNeeded(p.bytes().length);
    }
    return new Result(layer, path, chain.payloadBytes(), chain.transactionCount(), chain.totalPayloadBytes(), bytes,
        posted.size(), layer.equals("local") ? 0 : blobs, nanos / 1e9, postNanos / 1e9, readBack);
  }

  /** Rebuilds each posted batch from the chain as the adapter does, timing each step. */
  private static Breakdown breakdown(SyntheticChain chain, List<Posted> posted) {
    long slice = 0;
    long verify = 0;
    long encode = 0;
    for (Posted p : posted) {
      GenericBatch decoded = GenericBatch.decode(p.bytes());
      long t0 = System.nanoTime();
      List<GenericBatch.Entry> entries = new ArrayList<>();
      for (long h = decoded.firstHeight(); h <= decoded.lastHeight(); h++) {
        Block block = chain.block(h);
        entries.add(GenericBatch.Entry.of(block.header(), block.slice(p.namespace()), chain.certificate(h)));
      }
      GenericBatch batch = new GenericBatch(p.namespace(), decoded.firstHeight(), entries);
      long t1 = System.nanoTime();
      if (!batch.verify().valid()) {
        throw new IllegalStateException("a rebuilt batch does not verify");
      }
      long t2 = System.nanoTime();
      batch.encode();
      long t3 = System.nanoTime();
      slice += t1 - t0;
      verify += t2 - t1;
      encode += t3 - t2;
    }
    return new Breakdown(slice / 1e9, verify / 1e9, encode / 1e9);
  }

  private static Kzg kzg(List<Posted> posted) {
    List<byte[]> blobs = new ArrayList<>();
    for (Posted p : posted) {
      blobs.addAll(BlobPacking.pack(p.bytes()));
    }
    blobs = blobs.subList(0, Math.min(KZG_SAMPLE_BLOBS, blobs.size()));
    BlobUtils.getCommitment(new Blob(blobs.get(0)));
    long commit = 0;
    long proof = 0;
    for (byte[] data : blobs) {
      Blob blob = new Blob(data);
      long t0 = System.nanoTime();
      Bytes commitment = BlobUtils.getCommitment(blob);
      long t1 = System.nanoTime();
      BlobUtils.getProof(blob, commitment);
      long t2 = System.nanoTime();
      commit += t1 - t0;
      proof += t2 - t1;
    }
    return new Kzg(blobs.size(), commit / 1e6 / blobs.size(), proof / 1e6 / blobs.size());
  }

  static String row(Result r) {
    return String.format("%-10s %-8s %7d %13d %12.1f %8d %6d %8.2f %8.2f %13.2f %11.2f", r.layer(), r.path(),
        r.payloadBytes(), r.transactions(), r.payload() / 1e6, r.batches(), r.blobs(), r.seconds(), r.postSeconds(),
        r.payloadMegabytesPerSecond(), r.batchMegabytesPerSecond());
  }

  private static void delete(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
