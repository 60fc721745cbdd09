package dev.tandem.bench.bundles;

import dev.tandem.bench.LocalValidators;
import dev.tandem.bench.ordering.OrderingCluster;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.client.BundleView;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.node.FinalizedBlocks;
import dev.tandem.node.TandemNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tandem BFT validators in this JVM (full {@link TandemNode}s: LMDB, libp2p on loopback, consensus,
 * JSON-RPC, as {@link dev.tandem.bench.ordering.TandemCluster} starts them) with two ways in:
 * {@link #plain()} sends each payload as one signed transaction ({@code tandem_sendRawTransaction}),
 * {@link #bundles()} as a 2-leg atomic bundle ({@code tandem_sendBundle}, legs in two namespaces).
 * Both go through {@link TandemClient} to the validators in turn and count as final when validator
 * 0's finalized log ({@code blocks().subscribe}) holds the transaction, or the bundle's manifest with
 * every leg in the same block. Every unit uses fresh sender keys at nonce 0, so per-sender nonce
 * order across validators plays no part in either.
 */
public final class BundleNetwork implements AutoCloseable {
  private static final long CHAIN = 7_778;
  private static final Namespace ROLLUP_A = Namespace.of(10);
  private static final Namespace ROLLUP_B = Namespace.of(20);
  private static final long FEE = 1_000_000;
  private static final int SUBMITTERS = 32;

  private final Path dir;
  private final List<TandemNode> nodes = new ArrayList<>();
  private final List<TandemClient> clients = new ArrayList<>();
  private final Map<Hash, CompletableFuture<OrderingCluster.Commit>> plainWaiting = new ConcurrentHashMap<>();
  private final Map<Hash, BundleWaiting> bundleWaiting = new ConcurrentHashMap<>();
  private final ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS, runnable -> {
    Thread t = new Thread(runnable, "bench-submitter");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger nextNode = new AtomicInteger();
  private final Random random = new Random(4343);
  private final KeyPair bundleSigner = KeyPair.generate(random);
  private FinalizedBlocks.Subscription subscription;

  /** A submitted bundle: final once its manifest (by transaction id) is in a finalized block with all legs. */
  private record BundleWaiting(CompletableFuture<OrderingCluster.Commit> commit, List<Hash> legIds) {}

  private BundleNetwork(Path dir) {
    this.dir = dir;
  }

  /** Starts {@code count} validators and returns once a transaction and a bundle were finalized. */
  public static BundleNetwork start(int count) throws Exception {
    BundleNetwork network = new BundleNetwork(Files.createTempDirectory("tandem-bench-bundles-"));
    try {
      network.startNodes(count);
      network.plain().submit(new byte[] {1}).get(120, TimeUnit.SECONDS);
      network.bundles().submit(new byte[] {2}).get(120, TimeUnit.SECONDS);
      return network;
    } catch (Exception | Error e) {
      network.close();
      throw e;
    }
  }

  private void startNodes(int count) throws IOException {
    LocalValidators.start(dir, CHAIN, count, random, false, nodes);
    for (TandemNode node : nodes) {
      clients.add(new TandemClient(URI.create(node.rpcUrl()), Duration.ofSeconds(30)));
    }
    subscription = nodes.get(0).blocks().subscribe(this::onFinalized);
  }

  /** Plain transactions, alternating between the two rollup namespaces. */
  public OrderingCluster plain() {
    return new Way("plain") {
      @Override
      public CompletableFuture<Commit> submit(byte[] payload) {
        Transaction tx;
        synchronized (random) {
          Namespace namespace = random.nextBoolean() ? ROLLUP_A : ROLLUP_B;
          tx = Transaction.sign(CHAIN, namespace, 0, FEE, payload, KeyPair.generate(random));
        }
        CompletableFuture<Commit> commit = new CompletableFuture<>();
        plainWaiting.put(tx.id(), commit);
        TandemClient client = nextClient();
        submitters.execute(() -> {
          try {
            client.sendTransaction(tx);
          } catch (RuntimeException e) {
            plainWaiting.remove(tx.id());
            commit.completeExceptionally(e);
          }
        });
        return commit;
      }
    };
  }

  /** 2-leg bundles: the payload once in each rollup namespace, each leg from its own sender. */
  public OrderingCluster bundles() {
    return new Way("bundle") {
      @Override
      public CompletableFuture<Commit> submit(byte[] payload) {
        Bundle bundle;
        synchronized (random) {
          long tip = nodes.get(0).finalizedHeight();
          bundle = BundleBuilder.create(CHAIN, bundleSigner, random)
              .window(BundleWindow.heights(1, tip + 10_000))
              .manifestFee(FEE)
              .addLeg(ROLLUP_A, payload, KeyPair.generate(random), 0, FEE)
              .addLeg(ROLLUP_B, payload, KeyPair.generate(random), 0, FEE)
              .build();
        }
        Hash manifestId = bundle.manifestTransaction().id();
        CompletableFuture<Commit> commit = new CompletableFuture<>();
        bundleWaiting.put(manifestId, new BundleWaiting(commit, bundle.legs().stream().map(Transaction::id).toList()));
        TandemClient client = nextClient();
        submitters.execute(() -> {
          try {
            BundleView view = client.sendBundle(bundle);
            if (!view.status().equals("pending") && !view.isIncluded()) {
              throw new IllegalStateException("bundle " + view.status() + ": " + view.reason());
            }
          } catch (RuntimeException e) {
            bundleWaiting.remove(manifestId);
            commit.completeExceptionally(e);
          }
        });
        return commit;
      }
    };
  }

  private TandemClient nextClient() {
    return clients.get(Math.floorMod(nextNode.getAndIncrement(), clients.size()));
  }

  /** Completes what the finalized block holds; a manifest without all its legs alongside fails its bundle. */
  private void onFinalized(Block block) {
    Set<Hash> ids = null;
    for (Transaction tx : block.transactions()) {
      CompletableFuture<OrderingCluster.Commit> plain = plainWaiting.remove(tx.id());
      if (plain != null) {
        plain.complete(new OrderingCluster.Commit(block.height()));
        continue;
      }
      BundleWaiting bundle = bundleWaiting.remove(tx.id());
      if (bundle != null) {
        if (ids == null) {
          ids = new HashSet<>();
          for (Transaction t : block.transactions()) {
            ids.add(t.id());
          }
        }
        if (ids.containsAll(bundle.legIds())) {
          bundle.commit().complete(new OrderingCluster.Commit(block.height()));
        } else {
          bundle.commit().completeExceptionally(new IllegalStateException(
              "block " + block.height() + " holds the manifest " + tx.id() + " without all its legs"));
        }
      }
    }
  }

  /** Units not final yet and every validator's finalized height, for the run log. */
  public String describeBacklog() {
    StringBuilder out = new StringBuilder().append(plainWaiting.size()).append(" transactions and ")
        .append(bundleWaiting.size()).append(" bundles not final; finalized heights");
    nodes.forEach(n -> out.append(' ').append(n.finalizedHeight()));
    return out.toString();
  }

  /** One way of submitting; the network is started and closed by {@link BundleNetwork} itself. */
  private abstract class Way implements OrderingCluster {
    private final String name;

    Way(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void start(int count) {
      throw new IllegalStateException("start the validators with BundleNetwork.start");
    }

    @Override
    public String describeBacklog() {
      return BundleNetwork.this.describeBacklog();
    }

    @Override
    public void close() {
      // The validators belong to the BundleNetwork; closing one way of submitting leaves them running.
    }
  }

  @Override
  public void close() throws IOException {
    if (subscription != null) {
      subscription.close();
    }
    submitters.shutdownNow();
    for (TandemNode node : nodes) {
      node.close();
    }
    plainWaiting.values().forEach(c -> c.completeExceptionally(new IllegalStateException("network closed")));
    bundleWaiting.values().forEach(b -> b.commit().completeExceptionally(new IllegalStateException("network closed")));
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
