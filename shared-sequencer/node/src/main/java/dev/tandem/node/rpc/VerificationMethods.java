package dev.tandem.node.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.Hex;
import dev.tandem.node.NodeConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The methods a standalone verifier needs besides {@code tandem_getNamespaceSlice}: a block's
 * finality proof and the validator set that signs it (docs/verification.md).
 */
final class VerificationMethods {
  /** The node runs without consensus, so it has no quorum certificates and no validator set. */
  static final int NO_CONSENSUS = -32040;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private VerificationMethods() {}

  static void register(RpcBackend node, Map<String, RpcMethods.Method> methods) {
    methods.put("tandem_getFinalityProof", (p, s) -> {
      p.expect(1, 1);
      return finalityProof(node, p.quantity(0, "height"));
    });
    methods.put("tandem_getValidators", (p, s) -> {
      p.expect(0, 0);
      return validators(node);
    });
  }

  /**
   * {@code {height, blockHash, header, proof}} (hex), or null while the block is not provable. The
   * proof ends at the first finalized descendant whose QC was formed in the view right after its
   * parent's: usually the child. Null for the tip and above (the committing descendant is certified
   * but not final yet, so its QC is not stored) and when no such descendant is within
   * {@link FinalityProof#MAX_PATH} heights.
   */
  private static JsonNode finalityProof(RpcBackend node, long height) {
    requireConsensus(node);
    Optional<BlockHeader> header = node.header(height);
    Optional<QuorumCertificate> blockQc = node.certificate(height);
    if (header.isEmpty() || blockQc.isEmpty()) {
      return NullNode.instance;
    }
    List<BlockHeader> path = new ArrayList<>();
    for (long next = height + 1; path.size() < FinalityProof.MAX_PATH; next++) {
      Optional<BlockHeader> descendant = node.header(next);
      Optional<QuorumCertificate> qc = node.certificate(next);
      if (descendant.isEmpty() || qc.isEmpty()) {
        return NullNode.instance;
      }
      path.add(descendant.get());
      QuorumCertificate commitQc = qc.get();
      boolean commits = commitQc.parentView() == commitQc.view() - 1
          && (path.size() > 1 || commitQc.parentView() == blockQc.get().view());
      if (commits) {
        FinalityProof proof = new FinalityProof(blockQc.get(), path, commitQc);
        ObjectNode out = JSON.objectNode();
        out.put("height", Hex.quantity(height));
        out.put("blockHash", header.get().hash().toHex());
        out.put("header", Hex.encode(header.get().encode()));
        out.put("proof", Hex.encode(proof.encode()));
        return out;
      }
    }
    return NullNode.instance;
  }

  /** {@code {chainId, totalStake, validators: [{publicKey, stake}]}}: the set this node runs consensus with. */
  private static JsonNode validators(RpcBackend node) {
    NodeConfig.Consensus consensus = requireConsensus(node);
    ObjectNode out = JSON.objectNode();
    out.put("chainId", Hex.quantity(node.config().chainId()));
    ArrayNode members = out.putArray("validators");
    long total = 0;
    for (NodeConfig.Validator validator : consensus.validators()) {
      members.addObject().put("publicKey", validator.publicKey().toHex()).put("stake", validator.stake());
      total += validator.stake();
    }
    out.put("totalStake", total);
    return out;
  }

  private static NodeConfig.Consensus requireConsensus(RpcBackend node) {
    NodeConfig.Consensus consensus = node.config().consensus();
    if (consensus == null) {
      throw new RpcError(NO_CONSENSUS, "this node runs without consensus; no quorum certificates"
          + " (ask a validator node of a consensus network)");
    }
    return consensus;
  }
}
