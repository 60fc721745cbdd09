package dev.tandem.node.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.bft.ConsensusCore;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.core.Block;
import dev.tandem.core.DecodingException;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompactProposalTest {
  private static final long CHAIN = 9;

  private static Proposal proposal(int txCount) {
    KeyPair user = KeyPair.generate(new Random(1));
    List<Transaction> txs = new ArrayList<>();
    for (int i = 0; i < txCount; i++) {
      txs.add(Transaction.sign(CHAIN, Namespace.of(3 - i % 3 + 1), i, 10, new byte[] {(byte) i}, user));
    }
    var genesis = ConsensusCore.genesis(CHAIN);
    Block block = Block.build(CHAIN, 1, genesis.block().hash(), 1000, user.publicKey(), txs);
    return Proposal.sign(user, CHAIN, 1, block, genesis.qc(), Optional.empty());
  }

  @Test
  void roundTripsAndRebuildsTheSameBlock() {
    Proposal full = proposal(5);
    CompactProposal compact = CompactProposal.decode(CompactProposal.of(full).encode(), 1 << 20);
    assertThat(compact.txIds()).hasSize(5);
    Proposal rebuilt = compact.withTransactions(full.block().transactions());
    assertThat(rebuilt.block().hash()).isEqualTo(full.block().hash());
    assertThat(rebuilt.block().transactions()).isEqualTo(full.block().transactions());
    assertThat(rebuilt.justify()).isEqualTo(full.justify());
  }

  @Test
  void wrongOrMissingTransactionsDoNotMatchTheHeader() {
    Proposal full = proposal(4);
    CompactProposal compact = CompactProposal.of(full);
    List<Transaction> reversed = new ArrayList<>(full.block().transactions());
    java.util.Collections.reverse(reversed);
    assertThatThrownBy(() -> compact.withTransactions(reversed)).isInstanceOf(DecodingException.class);
    List<Transaction> oneShort = full.block().transactions().subList(0, 3);
    assertThatThrownBy(() -> compact.withTransactions(oneShort)).isInstanceOf(DecodingException.class);
    // Same id, another signature: the id leaves the signature out, the namespace root does not.
    Transaction original = full.block().transactions().get(0);
    byte[] forged = original.encode();
    forged[forged.length - 1] ^= 1;
    List<Transaction> swapped = new ArrayList<>(full.block().transactions());
    swapped.set(0, Transaction.decode(forged));
    assertThat(swapped.get(0).id()).isEqualTo(original.id());
    assertThatThrownBy(() -> compact.withTransactions(swapped)).isInstanceOf(DecodingException.class);
  }

  @Test
  void decodingIsStrict() {
    byte[] encoded = CompactProposal.of(proposal(3)).encode();
    assertThatThrownBy(() -> CompactProposal.decode(Arrays.copyOf(encoded, encoded.length - 1), 1 << 20))
        .isInstanceOf(DecodingException.class);
    byte[] trailing = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> CompactProposal.decode(trailing, 1 << 20)).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> CompactProposal.decode(encoded, encoded.length - 1)).isInstanceOf(DecodingException.class);
    byte[] wrongTag = encoded.clone();
    wrongTag[0] = 1;
    assertThatThrownBy(() -> CompactProposal.decode(wrongTag, 1 << 20)).isInstanceOf(DecodingException.class);
    // The id count must equal the header's transaction count.
    int countOffset = 1 + 8 + dev.tandem.core.BlockHeader.ENCODED_LENGTH;
    byte[] lying = encoded.clone();
    lying[countOffset + 3] = 2;
    assertThatThrownBy(() -> CompactProposal.decode(lying, 1 << 20)).isInstanceOf(DecodingException.class);
    assertThat(CompactProposal.isCompact(encoded)).isTrue();
    assertThat(CompactProposal.isCompact(new byte[0])).isFalse();
  }
}
