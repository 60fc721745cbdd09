package dev.tandem.node.cli;

import dev.tandem.client.TandemClient;
import dev.tandem.core.Hex;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "block", description = "Read blocks of the global log.", subcommands = {BlockCommand.Get.class})
final class BlockCommand {

  @Command(name = "get", description = "Print a finalized block as JSON.")
  static final class Get implements Callable<Integer> {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:8545", description = "Node JSON-RPC URL (default: ${DEFAULT-VALUE}).")
    String rpc;

    @Parameters(index = "0", defaultValue = "latest", description = "Height (decimal or 0x-hex) or 'latest'.")
    String height;

    @Option(names = "--txs", description = "Include full transactions.")
    boolean includeTransactions;

    @Override
    public Integer call() {
      TandemClient client = TandemClient.connect(rpc);
      long h = "latest".equals(height) ? client.blockNumber() : Hex.parseQuantity(height);
      System.out.println(client.block(h, includeTransactions).toPrettyString());
      return 0;
    }
  }
}
