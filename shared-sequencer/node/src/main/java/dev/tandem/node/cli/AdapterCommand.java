package dev.tandem.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.adapters.pipeline.AdapterPipeline;
import dev.tandem.adapters.pipeline.FinalityCheck;
import dev.tandem.adapters.pipeline.PipelineSpec;
import dev.tandem.adapters.pipeline.RpcBlockSource;
import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Hex;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem adapter run}: the rollup adapters in a process of their own, reading a node's
 * finalized log over JSON-RPC and checking every block (docs/adapters.md).
 */
@Command(name = "adapter", description = "Run rollup adapters outside the node.", subcommands = {AdapterCommand.Run.class})
final class AdapterCommand {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterCommand.class);
  private static final Duration NODE_WAIT = Duration.ofSeconds(60);

  @Command(name = "run", description = "Run the adapters of a config file over a node's JSON-RPC until interrupted.")
  static final class Run implements Callable<Integer> {
    @Option(names = "--config", required = true,
        description = "Adapter config (YAML by extension, else JSON): daLayers, rollups, checkpointDir.")
    Path config;

    @Option(names = "--rpc", required = true, description = "The node's JSON-RPC URL, e.g. http://127.0.0.1:8545.")
    URI rpc;

    @Option(names = "--validators", paramLabel = "FILE", description = "The sequencer set to check quorum "
        + "certificates against (JSON {validators: [{publicKey, stake}]}, or a node config); default: the node's own.")
    Path validatorsFile;

    @Override
    public Integer call() throws InterruptedException {
      PipelineSpec spec = load(config);
      Optional<ValidatorSet> trusted = Optional.empty();
      if (validatorsFile != null) {
        try {
          trusted = Optional.of(VerifyCommand.validators(Files.readString(validatorsFile)));
        } catch (IOException | RuntimeException e) {
          throw new IllegalArgumentException("cannot read the validator set " + validatorsFile + ": " + e.getMessage());
        }
      }
      AdapterPipeline pipeline = start(spec, rpc, trusted);
      System.out.println("tandem adapters running for " + spec.rollups().size() + " rollup(s) over " + rpc
          + ", checkpoints in " + spec.checkpointDir());
      NodeCommand.awaitShutdown(pipeline);
      return 0;
    }
  }

  /**
   * Starts the pipeline over the node at {@code rpc}. Every block is rebuilt and checked against its
   * header, and its finality proof ({@code tandem_getFinalityProof}: QCs of the sequencer set) is
   * checked against {@code trusted} validators, or the node's own set when none is given. A node
   * without consensus has no QCs; it is then trusted to serve only final blocks.
   */
  static AdapterPipeline start(PipelineSpec spec, URI rpc, Optional<ValidatorSet> trusted) {
    TandemClient client = new TandemClient(rpc, Duration.ofSeconds(30));
    long chainId = awaitNode(client, rpc);
    return AdapterPipeline.start(spec, new RpcBlockSource(client, chainId, finality(client, trusted)));
  }

  /** The node's chain id, waiting up to a minute for a node that is still starting. */
  private static long awaitNode(TandemClient client, URI rpc) {
    long deadline = System.nanoTime() + NODE_WAIT.toNanos();
    boolean logged = false;
    while (true) {
      try {
        return client.chainId();
      } catch (RpcException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the node at " + rpc + " did not answer within " + NODE_WAIT.toSeconds()
              + " s: " + e.getMessage() + "; check --rpc and that the node runs");
        }
        if (!logged) {
          LOG.info("waiting for the node at {} ({})", rpc, e.getMessage());
          logged = true;
        }
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the node at " + rpc);
      }
    }
  }

  static FinalityCheck finality(TandemClient client, Optional<ValidatorSet> trusted) {
    ValidatorSet validators;
    if (trusted.isPresent()) {
      validators = trusted.get();
    } else {
      try {
        validators = VerifyCommand.validators(client.validators().toString());
      } catch (RpcException e) {
        LOG.warn("the node runs without consensus ({}); its blocks carry no quorum certificates, so the adapters "
            + "trust it to serve only final blocks", e.getMessage());
        return FinalityCheck.trustingTheNode();
      }
      LOG.warn("checking quorum certificates against the node's own validator set; pass --validators FILE with the "
          + "chain's genesis set to not trust the node for it");
    }
    return FinalityCheck.byFinalityProofs(height -> {
      JsonNode proof = client.finalityProof(height);
      return proof == null || proof.isNull() ? Optional.empty()
          : Optional.of(FinalityProof.decode(Hex.decode(proof.get("proof").asText())));
    }, validators);
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
