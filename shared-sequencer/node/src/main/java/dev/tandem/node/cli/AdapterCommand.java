package dev.tandem.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.adapters.pipeline.FinalityCheck;
import dev.tandem.adapters.pipeline.PipelineSpec;
import dev.tandem.adapters.pipeline.RpcBlockSource;
import dev.tandem.client.TandemClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem adapter run}: the rollup adapters in a process of their own, reading a node's
 * finalized log over JSON-RPC and checking every block (docs/adapters.md).
 */
@Command(name = "adapter", description = "Run rollup adapters outside the node.", subcommands = {AdapterCommand.Run.class})
final class AdapterCommand {

  @Command(name = "run", description = "Run the adapters of a config file over a node's JSON-RPC until interrupted.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", required = true,
        description = "Adapter config (YAML by extension, else JSON): daLayers, rollups, checkpointDir.")
    Path config;

    @Option(names = "--rpc", required = true, description = "The node's JSON-RPC URL, e.g. http://127.0.0.1:8545.")
    URI rpc;

    @Override
    public Integer call() throws InterruptedException {
      PipelineSpec spec = load(config);
      AdapterPipeline pipeline = start(spec, rpc);
      System.out.println("tandem adapters running for " + spec.rollups().size() + " rollup(s) over " + rpc
          + ", checkpoints in " + spec.checkpointDir());
      NodeCommand.awaitShutdown(pipeline);
      return 0;
    }
  }

  /**
   * Starts the pipeline over the node at {@code rpc}. Until the node serves finality proofs
   * ({@code tandem_getFinalityProof}) it is trusted to serve only final blocks; every block is
   * still rebuilt and checked against its header.
   */
  static AdapterPipeline start(PipelineSpec spec, URI rpc) {
    TandemClient client = new TandemClient(rpc, Duration.ofSeconds(30));
    long chainId = client.chainId();
    return AdapterPipeline.start(spec, new RpcBlockSource(client, chainId, FinalityCheck.trustingTheNode()));
  }

  /** Parses an adapter config file; relative paths resolve against its directory. */
  static PipelineSpec load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read adapter config " + file + ": " + e.getMessage());
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
    ObjectMapper mapper = yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("adapter config " + file + " is not valid " + (yaml ? "YAML" : "JSON") + ": "
          + e.getOriginalMessage());
    }
    return PipelineSpec.parse(root, "", file.toAbsolutePath().getParent(), null);
  }
}
