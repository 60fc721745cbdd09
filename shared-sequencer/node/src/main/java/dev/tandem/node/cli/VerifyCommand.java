package dev.tandem.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.adapters.verify.SliceVerifier;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.client.RpcException;
import dev.tandem.client.TandemClient;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceProof;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem verify}: checks one namespace slice of one block the way a rollup would, trusting
 * only a validator set: the block is final (its QC and its child's QC in the next view verify) and
 * the slice is all of the namespace's transactions, in block order. Exit 0 valid, 1 invalid, 2 when
 * the evidence could not be obtained or read. Formats and trust assumptions: docs/verification.md.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify that a namespace slice of a block is final, complete and correctly ordered.",
        "Online: --rpc URL --height H --namespace N [--validators FILE] [--save DIR].",
        "Offline: --header-file F --proof-file F --slice-file F --validators-file F.",
        "Exit code: 0 VALID, 1 INVALID, 2 usage or input error."})
public final class VerifyCommand implements Callable<Integer> {
  static final int VALID = 0;
  static final int INVALID = 1;
  static final int CANNOT_VERIFY = 2;
  /** A slice holds at most one block (about 1 MB), twice that in hex, plus JSON; anything far larger is not ours. */
  private static final long MAX_FILE_BYTES = 16L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec
  CommandSpec spec;

  @Option(names = "--rpc", description = "Online: node JSON-RPC URL to fetch the evidence from (default: http://127.0.0.1:8545).")
  String rpc;

  @Option(names = "--height", description = "Online: block height, decimal or 0x-hex.")
  String height;

  @Option(names = "--namespace", description = "Rollup namespace, decimal or 0x-hex (online: required; offline: must match the slice file).")
  String namespace;

  @Option(names = {"--validators", "--validators-file"}, paramLabel = "FILE",
      description = "Trusted validator set: JSON (tandem_getValidators result, or a node config with 'consensus') or hex of its canonical encoding."
          + " Online it defaults to the node's own report (weaker: see docs/verification.md).")
  Path validatorsFile;

  @Option(names = "--save", paramLabel = "DIR", description = "Online: also write header.hex, proof.hex, slice.json and validators.json to DIR for an offline re-check.")
  Path saveDir;

  @Option(names = "--header-file", description = "Offline: block header, hex of its canonical encoding or JSON with a 'header' field.")
  Path headerFile;

  @Option(names = "--proof-file", description = "Offline: finality proof, hex of its encoding or JSON with a 'proof' field (the tandem_getFinalityProof result).")
  Path proofFile;

  @Option(names = "--slice-file", description = "Offline: the slice as JSON, in the shape tandem_getNamespaceSlice returns.")
  Path sliceFile;

  /** Everything a verdict is computed from. */
  record Evidence(BlockHeader header, FinalityProof proof, NamespaceSlice slice, ValidatorSet validators) {}

  /** The evidence could not be obtained or read: a verdict is impossible (exit 2). */
  static final class CannotVerify extends RuntimeException {
    CannotVerify(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Evidence evidence;
    Namespace expected;
    try {
      expected = namespace == null ? null : Namespace.parse(namespace);
      evidence = offline() ? readFiles(expected) : fetch(expected, err);
    } catch (CannotVerify | RpcException | DecodingException | IllegalArgumentException e) {
      err.println("tandem verify: " + e.getMessage());
      return CANNOT_VERIFY;
    }
    Verification result = SliceVerifier.verify(evidence.header(), evidence.proof(), evidence.validators(), evidence.slice());
    if (!result.valid()) {
      out.println("INVALID: " + result.reason());
      out.flush();
      return INVALID;
    }
    BlockHeader header = evidence.header();
    out.println("VALID: namespace " + evidence.slice().namespace().toHex() + " at height " + header.height()
        + ": " + evidence.slice().transactions().size() + " transaction(s), complete and in block order; block "
        + header.hash().toHex() + " is final (certified in view " + evidence.proof().blockQc().view()
        + ", committed by the QC of height " + evidence.proof().commitQc().height() + " in view "
        + evidence.proof().commitQc().view() + ") under " + evidence.validators().size()
        + " validators, total stake " + evidence.validators().totalStake());
    out.flush();
    return VALID;
  }

  private boolean offline() {
    boolean anyFile = headerFile != null || proofFile != null || sliceFile != null;
    if (!anyFile) {
      return false;
    }
    if (rpc != null || height != null || saveDir != null) {
      throw new CannotVerify("--header-file/--proof-file/--slice-file (offline) cannot be combined with --rpc, --height or --save (online)");
    }
    if (headerFile == null || proofFile == null || sliceFile == null || validatorsFile == null) {
      throw new CannotVerify("offline mode needs all of --header-file, --proof-file, --slice-file and --validators-file");
    }
    return true;
  }

  private Evidence readFiles(Namespace expected) {
    BlockHeader header = decode("header file " + headerFile, () -> BlockHeader.decode(hexOrField(read(headerFile), "header")));
    FinalityProof proof = decode("proof file " + proofFile, () -> FinalityProof.decode(hexOrField(read(proofFile), "proof")));
    NamespaceSlice slice = decode("slice file " + sliceFile, () -> slice(json(read(sliceFile))));
    ValidatorSet validators = decode("validators file " + validatorsFile, () -> validators(read(validatorsFile)));
    if (expected != null && !expected.equals(slice.namespace())) {
      throw new CannotVerify("the slice file is for namespace " + slice.namespace().toHex() + ", not " + expected.toHex());
    }
    return new Evidence(header, proof, slice, validators);
  }

  private Evidence fetch(Namespace expected, PrintWriter err) {
    if (height == null || expected == null) {
      throw new CannotVerify("online mode needs --height and --namespace (or give the offline files)");
    }
    long h = Hex.parseQuantity(height);
    String url = rpc == null ? "http://127.0.0.1:8545" : rpc;
    TandemClient client = TandemClient.connect(url);
    JsonNode proofJson = client.finalityProof(h);
    if (proofJson == null || proofJson.isNull()) {
      throw new CannotVerify("the node at " + url + " has no finality proof for height " + h
          + ": it is above the tip, or the descendant whose QC commits it is not final yet (always so for the tip;"
          + " see docs/verification.md); wait for the next block or try a lower height");
    }
    JsonNode sliceJson = client.namespaceSlice(h, expected);
    if (sliceJson == null || sliceJson.isNull()) {
      throw new CannotVerify("the node at " + url + " returned no slice for height " + h);
    }
    String validatorsText;
    if (validatorsFile != null) {
      validatorsText = read(validatorsFile);
    } else {
      err.println("warning: using the validator set reported by the node itself; a dishonest node can report a set"
          + " it controls. Pass --validators FILE with a set you trust (e.g. the chain's genesis config).");
      validatorsText = client.validators().toString();
    }
    BlockHeader header = decode("node's header", () -> BlockHeader.decode(hexOrField(proofJson.toString(), "header")));
    if (header.height() != h) {
      throw new CannotVerify("the node answered with a header for height " + header.height() + ", not " + h);
    }
    FinalityProof proof = decode("node's proof", () -> FinalityProof.decode(hexOrField(proofJson.toString(), "proof")));
    NamespaceSlice slice = decode("node's slice", () -> slice(sliceJson));
    ValidatorSet validators = decode(validatorsFile == null ? "node's validator set" : "validators file " + validatorsFile,
        () -> validators(validatorsText));
    if (!slice.namespace().equals(expected)) {
      throw new CannotVerify("the node answered with a slice of namespace " + slice.namespace().toHex() + ", not " + expected.toHex());
    }
    if (saveDir != null) {
      save(header, proof, sliceJson, validators, err);
    }
    return new Evidence(header, proof, slice, validators);
  }

  private void save(BlockHeader header, FinalityProof proof, JsonNode sliceJson, ValidatorSet validators, PrintWriter err) {
    try {
      Files.createDirectories(saveDir);
      Files.writeString(saveDir.resolve("header.hex"), Hex.encode(header.encode()) + "\n");
      Files.writeString(saveDir.resolve("proof.hex"), Hex.encode(proof.encode()) + "\n");
      Files.writeString(saveDir.resolve("slice.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sliceJson) + "\n");
      Files.writeString(saveDir.resolve("validators.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(validatorsJson(validators)) + "\n");
    } catch (IOException e) {
      throw new CannotVerify("cannot save the evidence to " + saveDir + ": " + e.getMessage());
    }
    err.println("saved to " + saveDir + "; re-check offline with: tandem verify --header-file " + saveDir.resolve("header.hex")
        + " --proof-file " + saveDir.resolve("proof.hex") + " --slice-file " + saveDir.resolve("slice.json")
        + " --validators-file " + saveDir.resolve("validators.json"));
  }

  /** The slice as tandem_getNamespaceSlice returns it: {@code height, namespace, transactions: [raw hex], proof: hex}. */
  static NamespaceSlice slice(JsonNode json) {
    if (!json.isObject()) {
      throw new DecodingException("a slice must be a JSON object as tandem_getNamespaceSlice returns it");
    }
    long sliceHeight = Hex.parseQuantity(text(json, "height"));
    Namespace sliceNamespace = Namespace.parse(text(json, "namespace"));
    JsonNode txs = json.get("transactions");
    if (txs == null || !txs.isArray()) {
      throw new DecodingException("field 'transactions' must be a list of raw transaction hex strings");
    }
    List<Transaction> transactions = new ArrayList<>(txs.size());
    for (int i = 0; i < txs.size(); i++) {
      if (!txs.get(i).isTextual()) {
        throw new DecodingException("transactions[" + i + "] must be a hex string");
      }
      try {
        transactions.add(Transaction.decode(Hex.decode(txs.get(i).asText(), Transaction.MAX_ENCODED_BYTES)));
      } catch (DecodingException e) {
        throw new DecodingException("transactions[" + i + "]: " + e.getMessage());
      }
    }
    NamespaceProof proof = NamespaceProof.decode(Hex.decode(text(json, "proof")));
    return new NamespaceSlice(sliceHeight, sliceNamespace, transactions, proof);
  }

  /**
   * A validator set: hex of {@link ValidatorSet#encode()}, or JSON with {@code validators: [{publicKey, stake}]}
   * at the top (tandem_getValidators) or under {@code consensus} (a node config); stake defaults to 1 as in the config.
   */
  static ValidatorSet validators(String text) {
    String trimmed = text.strip();
    if (!trimmed.startsWith("{")) {
      return ValidatorSet.decode(Hex.decode(trimmed));
    }
    JsonNode json = json(trimmed);
    JsonNode list = json.has("validators") ? json.get("validators") : json.path("consensus").get("validators");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new DecodingException("needs a non-empty 'validators' list of {publicKey, stake} (top level or under 'consensus')");
    }
    List<ValidatorSet.Member> members = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      JsonNode stake = entry.get("stake");
      long value;
      if (stake == null) {
        value = 1;
      } else if (stake.isIntegralNumber() && stake.canConvertToLong()) {
        value = stake.asLong();
      } else if (stake.isTextual()) {
        value = Hex.parseQuantity(stake.asText());
      } else {
        throw new DecodingException("validators[" + i + "].stake must be a whole number");
      }
      members.add(new ValidatorSet.Member(PublicKey.fromHex(text(entry, "publicKey")), value));
    }
    return ValidatorSet.of(members);
  }

  static ObjectNode validatorsJson(ValidatorSet validators) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("validators");
    for (ValidatorSet.Member member : validators.members()) {
      list.addObject().put("publicKey", member.key().toHex()).put("stake", member.stake());
    }
    out.put("totalStake", validators.totalStake());
    return out;
  }

  /** The hex itself, or the named hex field of a JSON object. */
  private static byte[] hexOrField(String text, String field) {
    String trimmed = text.strip();
    return Hex.decode(trimmed.startsWith("{") ? text(json(trimmed), field) : trimmed);
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual()) {
      throw new DecodingException("field '" + field + "' is missing or not a string");
    }
    return value.asText();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new DecodingException("not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static String read(Path file) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new CannotVerify(file + " is " + size + " bytes; evidence files are at most " + MAX_FILE_BYTES);
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CannotVerify("cannot read " + file + ": " + e);
    }
  }

  private static <T> T decode(String what, java.util.function.Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (DecodingException | IllegalArgumentException e) {
      throw new CannotVerify("cannot read the " + what + ": " + e.getMessage());
    }
  }
}
