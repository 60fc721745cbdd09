package dev.tandem.node.cli;

import dev.tandem.adapters.generic.AdapterRunner;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.adapters.generic.GenericAdapter;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.core.Block;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import dev.tandem.da.local.LocalDaServer;
import dev.tandem.node.FinalizedBlocks;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.NodeKeys;
import dev.tandem.node.TandemNode;
import dev.tandem.p2p.PeerId;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem dev}: a whole local network in one process: the embedded local DA (also served
 * over HTTP), four sequencer nodes running BFT consensus over libp2p on loopback (or one node
 * alone), and the generic rollup adapter for every namespace that appears in the log. Runs until Ctrl-C and shuts down cleanly; restarting on the same directory resumes.
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

  @Option(names = "--nodes", defaultValue = "4",
      description = "Sequencer nodes; 4 or more run BFT consensus, 1 runs the single-node orderer (default: ${DEFAULT-VALUE}).")
  int nodeCount;

  @Override
  public Integer call() throws InterruptedException {
    if (nodeCount != 1 && nodeCount < 4) {
      throw new IllegalArgumentException("--nodes must be 1, or 4 or more (BFT needs n = 3f + 1 with f >= 1)");
    }
    DevNetwork network = DevNetwork.start(dataDir, chainId, nodeCount, rpcPort, daPort);
    System.out.println("Tandem devnet is running (Ctrl-C to stop): " + nodeCount
        + (nodeCount == 1 ? " node, single-node ordering" : " sequencer nodes, BFT consensus"));
    System.out.println("  JSON-RPC   " + network.node.rpcUrl());
    System.out.println("  WebSocket  " + network.node.wsUrl());
    for (int i = 1; i < network.nodes.size(); i++) {
      System.out.println("  node " + i + "     " + network.nodes.get(i).rpcUrl());
    }
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
    final List<TandemNode> nodes;
    /** The node the adapters read from and whose URL is printed first. */
    final TandemNode node;
    final LmdbCheckpointStore checkpoints;
    final AdapterRunner adapters;
    final FinalizedBlocks.Subscription subscription;

    private DevNetwork(LocalDa da, Vertx daVertx, LocalDaServer daServer, List<TandemNode> nodes,
        LmdbCheckpointStore checkpoints, AdapterRunner adapters, FinalizedBlocks.Subscription subscription) {
      this.da = da;
      this.daVertx = daVertx;
      this.daServer = daServer;
      this.nodes = nodes;
      this.node = nodes.get(0);
      this.checkpoints = checkpoints;
      this.adapters = adapters;
      this.subscription = subscription;
    }

    static DevNetwork start(Path dataDir, long chainId, int nodeCount, int rpcPort, int daPort) {
      LocalDa da = LocalDa.open(dataDir.resolve("da"));
      Vertx daVertx = Vertx.vertx();
      LocalDaServer daServer = LocalDaServer.start(daVertx, da, "127.0.0.1", daPort)
          .toCompletionStage().toCompletableFuture().join();
      List<TandemNode> nodes = startNodes(dataDir, chainId, nodeCount, rpcPort);
      TandemNode node = nodes.get(0);
      LmdbCheckpointStore checkpoints = LmdbCheckpointStore.open(dataDir.resolve("adapters"));
      FinalizedBlocks blocks = node.blocks();
      FinalizedBlockSource source = blocks.asBlockSource();
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
      return new DevNetwork(da, daVertx, daServer, nodes, checkpoints, adapters, subscription);
    }

    /**
     * One node alone, or {@code count} validators with equal stake on loopback: node i serves
     * JSON-RPC on {@code rpcPort + i} (all on free ports when rpcPort is 0) and libp2p on a free
     * port kept in {@code node-i/p2p-port} so that a restart finds its peers where they were.
     */
    private static List<TandemNode> startNodes(Path dataDir, long chainId, int count, int rpcPort) {
      if (count == 1) {
        return List.of(TandemNode.start(NodeConfig.defaults(dataDir.resolve("node")).withChainId(chainId)
            .withRpcPort(rpcPort)));
      }
      List<Path> dirs = new ArrayList<>();
      List<KeyPair> keys = new ArrayList<>();
      List<Integer> p2pPorts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Path dir = dataDir.resolve("node-" + i);
        dirs.add(dir);
        keys.add(NodeKeys.loadOrCreate(createDirectories(dir)));
        p2pPorts.add(stickyPort(dir.resolve("p2p-port")));
      }
      List<NodeConfig.Validator> validators = keys.stream()
          .map(key -> new NodeConfig.Validator(key.publicKey(), 1)).toList();
      List<TandemNode> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          List<String> peers = new ArrayList<>();
          for (int j = 0; j < count; j++) {
            if (j != i) {
              peers.add("/ip4/127.0.0.1/tcp/" + p2pPorts.get(j) + "/p2p/"
                  + PeerId.fromEd25519PublicKey(keys.get(j).publicKey().toBytes()));
            }
          }
          NodeConfig config = NodeConfig.defaults(dirs.get(i)).withChainId(chainId)
              .withRpcPort(rpcPort == 0 ? 0 : rpcPort + i)
              .withP2p("/ip4/127.0.0.1/tcp/" + p2pPorts.get(i), peers)
              .withConsensus(new NodeConfig.Consensus(validators, Duration.ofMillis(500)));
          nodes.add(TandemNode.start(config));
        }
      } catch (RuntimeException e) {
        nodes.forEach(TandemNode::close);
        throw e;
      }
      return List.copyOf(nodes);
    }

    private static Path createDirectories(Path dir) {
      try {
        return Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + dir, e);
      }
    }

    /** A free loopback port chosen once and remembered in {@code file}. */
    private static int stickyPort(Path file) {
      try {
        if (Files.exists(file)) {
          return Integer.parseInt(Files.readString(file).trim());
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          port = socket.getLocalPort();
        }
        Files.writeString(file, port + "\n");
        return port;
      } catch (IOException | NumberFormatException e) {
        throw new IllegalStateException("cannot choose or read the p2p port in " + file + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      subscription.close();
      adapters.close();
      checkpoints.close();
      nodes.forEach(TandemNode::close);
      daServer.close();
      daVertx.close().toCompletionStage().toCompletableFuture().join();
      da.close();
    }
  }
}
