package dev.tandem.node.cli;

import dev.tandem.client.RpcException;
import dev.tandem.core.DecodingException;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command line: run a devnet or a node, manage keys, send and inspect transactions. */
@Command(name = "tandem", mixinStandardHelpOptions = true, version = "tandem 0.1.0",
    description = "Tandem decentralized shared sequencer.",
    subcommands = {DevCommand.class, NodeCommand.class, KeysCommand.class, TxCommand.class, BundleCommand.class, BlockCommand.class, DaCommand.class, VerifyCommand.class, AdapterCommand.class, CommandLine.HelpCommand.class})
public final class TandemCli {
  private TandemCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code; failures print one clear line, not a stack trace. */
  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new TandemCli());
    commandLine.setExecutionExceptionHandler((thrown, line, parseResult) -> {
      Throwable exception = thrown instanceof java.util.concurrent.CompletionException && thrown.getCause() != null
          ? thrown.getCause() : thrown;
      if (exception instanceof java.net.BindException) {
        line.getErr().println("tandem: cannot listen: " + exception.getMessage() + " (is another node or devnet running?)");
        return 2;
      }
      if (exception instanceof RpcException || exception instanceof DecodingException
          || exception instanceof IOException || exception instanceof IllegalArgumentException
          || exception instanceof IllegalStateException || exception instanceof dev.tandem.da.DaException) {
        line.getErr().println("tandem: " + exception.getMessage());
        return 2;
      }
      throw thrown;
    });
    return commandLine.execute(args);
  }
}
