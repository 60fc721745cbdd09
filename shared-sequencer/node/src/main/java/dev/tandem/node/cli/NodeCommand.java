package dev.tandem.node.cli;

import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "node", description = "Run a sequencer node.", subcommands = {NodeCommand.Run.class})
final class NodeCommand {

  static final class Source {
    @Option(names = "--config", description = "Node config file (JSON, or YAML by extension).")
    Path config;

    @Option(names = "--data-dir", description = "Run with default settings on this data directory.")
    Path dataDir;
  }

  @Command(name = "run", description = "Run a node until interrupted (Ctrl-C or SIGTERM shut it down cleanly).")
  static final class Run implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Override
    public Integer call() throws InterruptedException {
      NodeConfig config = source.config != null ? NodeConfig.load(source.config) : NodeConfig.defaults(source.dataDir);
      TandemNode node = TandemNode.start(config);
      System.out.println("tandem node running: JSON-RPC " + node.rpcUrl() + "  WebSocket " + node.wsUrl());
      awaitShutdown(node);
      return 0;
    }
  }

  /** Blocks until the JVM is asked to stop, then closes {@code resources} in order. */
  static void awaitShutdown(AutoCloseable... resources) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      for (AutoCloseable resource : resources) {
        try {
          resource.close();
        } catch (Exception e) {
          System.err.println("tandem: error while shutting down: " + e);
        }
      }
      stopped.countDown();
    }, "tandem-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
  }
}
