package dev.tandem.adapters.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.adapters.verify.FinalityProof;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.ValidatorSet;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What the RPC block source accepts from a node's JSON, and the finality proof check it plugs in. */
class PipelineRpcBlockSourceTest {
  private static final long CHAIN = 5;
  private final Random random = new Random(8);
  private final List<KeyPair> validators = List.of(KeyPair.generate(random), KeyPair.generate(random),
      KeyPair.generate(random), KeyPair.generate(random));
  private final KeyPair user = KeyPair.generate(random);
  private final Block block = Block.build(CHAIN, 10, Hash.ZERO, 1000, validators.get(0).publicKey(), List.of(
      Transaction.sign(CHAIN, Namespace.of(900), 0, 1, new byte[] {1}, user),
      Transaction.sign(CHAIN, Namespace.of(7), 1, 1, new byte[] {2}, user),
      Transaction.sign(CHAIN, Namespace.of(900), 2, 1, new byte[] {3}, user)));

  /** The block as tandem_getBlockByHeight(h, true) writes it (docs/json-rpc.md). */
  private static ObjectNode json(Block block) {
    BlockHeader header = block.header();
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("hash", header.hash().toHex()).put("height", Hex.quantity(header.height()))
        .put("chainId", Hex.quantity(header.chainId())).put("parentHash", header.parentHash().toHex())
        .put("timestamp", Hex.quantity(header.timestampMillis())).put("proposer", header.proposer().toHex())
        .put("namespaceRoot", header.namespaceRoot().toHex()).put("txCount", Hex.quantity(header.txCount()));
    ArrayNode txs = out.putArray("transactions");
    for (Transaction tx : block.transactions()) {
      txs.addObject().put("hash", tx.id().toHex()).put("raw", Hex.encode(tx.encode()));
    }
    return out;
  }

  @Test
  void rebuildsAnHonestBlock() {
    Block rebuilt = RpcBlockSource.rebuild(json(block));
    assertThat(rebuilt.hash()).isEqualTo(block.hash());
    assertThat(rebuilt.transactions()).isEqualTo(block.transactions());
  }

  @Test
  void rejectsHeadersThatDoNotHashToTheBlockHashAndBodiesThatDoNotMatchTheHeader() {
    ObjectNode badTimestamp = json(block).put("timestamp", Hex.quantity(1001));
    assertThatThrownBy(() -> RpcBlockSource.rebuild(badTimestamp)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("hash to");

    ObjectNode swapped = json(block);
    Transaction other = Transaction.sign(CHAIN, Namespace.of(900), 9, 1, new byte[] {9}, user);
    ((ObjectNode) swapped.get("transactions").get(2)).put("raw", Hex.encode(other.encode()));
    assertThatThrownBy(() -> RpcBlockSource.rebuild(swapped)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("namespace root");

    ObjectNode dropped = json(block);
    ((ArrayNode) dropped.get("transactions")).remove(1);
    assertThatThrownBy(() -> RpcBlockSource.rebuild(dropped)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("header says 3 transactions, body has 2");

    ObjectNode hashesOnly = json(block);
    ((ArrayNode) hashesOnly.get("transactions")).removeAll().add(block.transactions().get(0).id().toHex());
    assertThatThrownBy(() -> RpcBlockSource.rebuild(hashesOnly)).hasMessageContaining("full transactions");

    ObjectNode truncated = json(block);
    ((ObjectNode) truncated.get("transactions").get(0)).put("raw", "0x0102");
    assertThatThrownBy(() -> RpcBlockSource.rebuild(truncated)).isInstanceOf(DecodingException.class);
  }

  private QuorumCertificate qc(BlockHeader header, long view, long parentView) {
    List<Signature> signatures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      signatures.add(Vote.sign(validators.get(i), CHAIN, view, header.height(), header.hash(), parentView).signature());
    }
    return QuorumCertificate.of(CHAIN, view, header.height(), header.hash(), parentView, signatures);
  }

  @Test
  void finalityByProofsAcceptsAProvenBlockAndRejectsAMissingOrForeignProof() {
    ValidatorSet set = ValidatorSet.equalStake(validators.stream().map(KeyPair::publicKey).toList());
    Block child = Block.build(CHAIN, 11, block.hash(), 1200, validators.get(1).publicKey(), List.of());
    FinalityProof proof = new FinalityProof(qc(block.header(), 20, 19), child.header(), qc(child.header(), 21, 20));
    assertThat(FinalityCheck.byFinalityProofs(h -> Optional.of(proof), set).verify(block.header()).valid()).isTrue();
    assertThat(FinalityCheck.byFinalityProofs(h -> Optional.empty(), set).verify(block.header()).reason())
        .contains("no finality proof for block 10");
    ValidatorSet strangers = ValidatorSet.equalStake(List.of(KeyPair.generate(random).publicKey()));
    assertThat(FinalityCheck.byFinalityProofs(h -> Optional.of(proof), strangers).verify(block.header()).valid())
        .isFalse();
  }
}
