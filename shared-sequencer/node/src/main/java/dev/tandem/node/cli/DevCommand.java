package dev.tandem.node.cli;

import dev.tandem.adapters.generic.AdapterRunner;
import dev.tandem.adapters.generic.GenericAdapter;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.core.Block;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import dev.tandem.da.local.LocalDaServer;
import dev.tandem.node.FinalizedBlocks;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem dev}: a whole local network in one process: the embedded local DA (also served
 * over HTTP), a sequencer node, and the generic rollup adapter for every namespace that appears
 * in the log. Runs until Ctrl-C and shuts down cleanly; restarting on the same directory resumes.
 */
@Command(name = "dev", description = "Start a local sequencer network with the embedded DA; Ctrl-C stops it.")
final class DevCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = ".tandem/dev", description = "State directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--rpc-port", defaultValue = "8545", description = "JSON-RPC port, 0 for any (default: ${DEFAULT-VALUE}).")
  int rpcPort;

  @Option(names = "--da-port", defaultValue = "7070", description = "Local DA HTTP port, 0 for any (default: ${DEFAULT-VALUE}).")
  int daPort;

  @Option(names = "--chain-id", defaultValue = "1", description = "Chain id of the network (default: ${DEFAULT-VALUE}).")
  long chainId;

  @Override
  public Integer call() throws InterruptedException {
    DevNetwork network = DevNetwork.start(dataDir, chainId, rpcPort, daPort);
    System.out.println("Tandem devnet is running (Ctrl-C to stop)");
    System.out.println("  JSON-RPC   " + network.node.rpcUrl());
    System.out.println("  WebSocket  " + network.node.wsUrl());
    System.out.println("  local DA   http://127.0.0.1:" + network.daServer.port());
    System.out.println("  data       " + dataDir.toAbsolutePath());
    System.out.flush();
    NodeCommand.awaitShutdown(network);
    return 0;
  }

  /** The running pieces, closed in reverse order of their start. */
  static final class DevNetwork implements AutoCloseable {
    final LocalDa da;
    final Vertx daVertx;
    final LocalDaServer daServer;
    final TandemNode node;
    final LmdbCheckpointStore checkpoints;
    final AdapterRunner adapters;
    final FinalizedBlocks.Subscription subscription;

    private DevNetwork(LocalDa da, Vertx daVertx, LocalDaServer daServer, TandemNode node,
        LmdbCheckpointStore checkpoints, AdapterRunner adapters, FinalizedBlocks.Subscription subscription) {
      this.da = da;
      this.daVertx = daVertx;
      this.daServer = daServer;
      this.node = node;
      this.checkpoints = checkpoints;
      this.adapters = adapters;
      this.subscription = subscription;
    }

    static DevNetwork start(Path dataDir, long chainId, int rpcPort, int daPort) {
      LocalDa da = LocalDa.open(dataDir.resolve("da"));
      Vertx daVertx = Vertx.vertx();
      LocalDaServer daServer = LocalDaServer.start(daVertx, da, "127.0.0.1", daPort)
          .toCompletionStage().toCompletableFuture().join();
      TandemNode node = TandemNode.start(NodeConfig.defaults(dataDir.resolve("node")).withChainId(chainId)
          .withRpcPort(rpcPort));
      LmdbCheckpointStore checkpoints = LmdbCheckpointStore.open(dataDir.resolve("adapters"));
      FinalizedBlocks blocks = node.blocks();
      NodeBlockSource source = new NodeBlockSource(blocks);
      AdapterRunner adapters = new AdapterRunner(namespace -> new GenericAdapter(namespace, source,
          (key, ns, batch) -> da.post(ns.id(), batch, key.toBytes()).encode(), checkpoints,
          GenericAdapter.Limits.defaults()), Duration.ofMillis(500));
      checkpoints.namespaces().forEach(adapters::ensure);
      FinalizedBlocks.Subscription subscription = blocks.subscribe(block -> {
        block.transactions().stream().map(Transaction::namespace).distinct().forEach(adapters::ensure);
        adapters.wake();
      });
      // Blocks finalized before this start (or while the adapters were down) may hold new namespaces.
      for (long height = 1; height <= blocks.height(); height++) {
        blocks.get(height).map(Block::transactions).orElseThrow().stream()
            .map(Transaction::namespace).distinct().forEach(adapters::ensure);
      }
      return new DevNetwork(da, daVertx, daServer, node, checkpoints, adapters, subscription);
    }

    @Override
    public void close() {
      subscription.close();
      adapters.close();
      checkpoints.close();
      node.close();
      daServer.close();
      daVertx.close().toCompletionStage().toCompletableFuture().join();
      da.close();
    }
  }

  /** The node's finalized log as the adapters read it. */
  private record NodeBlockSource(FinalizedBlocks blocks) implements dev.tandem.adapters.generic.FinalizedBlockSource {
    @Override
    public long finalizedHeight() {
      return blocks.height();
    }

    @Override
    public Block block(long height) {
      return blocks.get(height).orElseThrow(() -> new IllegalStateException("finalized block " + height + " missing"));
    }

    @Override
    public byte[] certificate(long height) {
      return new byte[0];
    }
  }

}
