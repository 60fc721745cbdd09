package dev.tandem.testsupport.evm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testsupport.RepoPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Compiles Solidity test contracts with the solc-js of the repository's node_modules, run by
 * {@code node scripts/solc-compile.mjs} (solc standard JSON in and out), so tests need no native
 * solc. Results are cached under {@code target/solc-cache}, keyed by the SHA-256 of the solc
 * version and the whole standard JSON input, so repeated test runs do not recompile.
 */
public final class SolidityCompiler {
  /** anvil runs with {@code --hardfork prague}; code for a newer EVM might use opcodes it lacks. */
  public static final String EVM_VERSION = "prague";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long COMPILE_TIMEOUT_SECONDS = 120;

  /** A compiled contract: its ABI (JSON array) and its creation bytecode, {@code 0x}-prefixed hex. */
  public record CompiledContract(String abiJson, String bytecode) {}

  private SolidityCompiler() {}

  /**
   * Compiles one source file and returns the named contract, from the cache when possible.
   *
   * @throws IllegalStateException if node or solc-js is missing, or the source does not compile
   */
  public static CompiledContract compile(String fileName, String source, String contractName) {
    return compile(fileName, source, contractName, "node");
  }

  /** As {@link #compile(String, String, String)}, with the node executable to run (tests pass a missing one). */
  static CompiledContract compile(String fileName, String source, String contractName, String node) {
    String input = standardJsonInput(fileName, source);
    Path solc = RepoPaths.nodeModules().resolve("solc");
    if (!Files.isRegularFile(solc.resolve("soljson.js"))) {
      throw new IllegalStateException("solc-js is not installed at " + solc
          + "; run scripts/npm-install.sh (the root Maven build does it)");
    }
    Path cached = cacheDirectory().resolve(sha256(solcVersion(solc) + "\n" + input) + "-" + contractName + ".json");
    if (Files.isRegularFile(cached)) {
      return read(cached);
    }
    CompiledContract compiled = extract(runSolc(node, input), fileName, contractName);
    write(cached, compiled);
    return compiled;
  }

  private static String standardJsonInput(String fileName, String source) {
    ObjectNode root = JSON.createObjectNode();
    root.put("language", "Solidity");
    root.putObject("sources").putObject(fileName).put("content", source);
    ObjectNode settings = root.putObject("settings");
    settings.put("evmVersion", EVM_VERSION);
    settings.putObject("optimizer").put("enabled", true).put("runs", 200);
    settings.putObject("outputSelection").putObject("*").putArray("*").add("abi").add("evm.bytecode.object");
    return root.toString();
  }

  private static JsonNode runSolc(String node, String input) {
    Path script = RepoPaths.root().resolve("scripts/solc-compile.mjs");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("the solc wrapper script is missing at " + script);
    }
    Process process;
    try {
      process = new ProcessBuilder(node, script.toString()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run '" + node + "' to compile Solidity (" + e.getMessage()
          + "); install Node.js 20 or newer and put `node` on the PATH", e);
    }
    CompletableFuture<byte[]> stdout = drain(process.getInputStream());
    CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      process.destroyForcibly();
      throw new IllegalStateException("cannot hand the Solidity source to node: " + e.getMessage(), e);
    }
    try {
      if (!process.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("solc-js did not finish within " + COMPILE_TIMEOUT_SECONDS + " s");
      }
      String out = new String(stdout.join(), StandardCharsets.UTF_8);
      String err = new String(stderr.join(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("node " + script + " exited with " + process.exitValue() + ": " + err.strip());
      }
      if (out.isBlank()) {
        throw new IllegalStateException("solc-js printed nothing; node said: " + err.strip());
      }
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new IllegalStateException("solc-js printed no JSON: " + out.strip() + " " + err.strip(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while compiling Solidity", e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = stream; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
        in.transferTo(out);
        return out.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static CompiledContract extract(JsonNode output, String fileName, String contractName) {
    List<String> errors = new ArrayList<>();
    for (JsonNode error : output.path("errors")) {
      if ("error".equals(error.path("severity").asText())) {
        errors.add(error.path("formattedMessage").asText(error.path("message").asText()).strip());
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(fileName + " does not compile:\n" + String.join("\n", errors));
    }
    JsonNode contract = output.path("contracts").path(fileName).path(contractName);
    String bytecode = contract.path("evm").path("bytecode").path("object").asText("");
    if (contract.isMissingNode() || bytecode.isEmpty()) {
      throw new IllegalStateException("solc output has no bytecode for contract " + contractName + " in " + fileName);
    }
    return new CompiledContract(contract.path("abi").toString(), "0x" + bytecode);
  }

  private static Path cacheDirectory() {
    Path dir = Paths.get("target", "solc-cache").toAbsolutePath();
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Solidity cache directory " + dir, e);
    }
  }

  private static String solcVersion(Path solc) {
    try {
      return JSON.readTree(solc.resolve("package.json").toFile()).path("version").asText();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the solc-js version from " + solc, e);
    }
  }

  private static CompiledContract read(Path cached) {
    try {
      JsonNode node = JSON.readTree(cached.toFile());
      return new CompiledContract(node.path("abi").asText(), node.path("bytecode").asText());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read cached compiler output " + cached, e);
    }
  }

  /** Writes to a temporary file and moves it in place, so concurrent tests never read half a file. */
  private static void write(Path cached, CompiledContract compiled) {
    ObjectNode node = JSON.createObjectNode().put("abi", compiled.abiJson()).put("bytecode", compiled.bytecode());
    try {
      Path temp = Files.createTempFile(cached.getParent(), "solc-", ".tmp");
      Files.writeString(temp, node.toString());
      try {
        Files.move(temp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, cached, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot cache compiler output at " + cached, e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
