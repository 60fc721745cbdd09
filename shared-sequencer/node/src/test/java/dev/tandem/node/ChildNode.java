package dev.tandem.node;

import java.nio.file.Path;

/** Runs a node in its own JVM for crash tests: prints its RPC URL, then serves until killed. */
public final class ChildNode {
  public static final String READY = "TANDEM-RPC ";

  private ChildNode() {}

  public static void main(String[] args) throws Exception {
    TandemNode node = TandemNode.start(NodeConfig.load(Path.of(args[0])));
    System.out.println(READY + node.rpcUrl());
    System.out.flush();
    Thread.currentThread().join();
  }
}
