package dev.tandem.node.consensus;

import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A proposal as it travels when transactions were disseminated ahead of it: the block header and
 * the ids of its transactions in block order instead of the transactions themselves. Receivers
 * rebuild the block from their own mempool (transactions came by gossip), fetch what they miss from
 * the proposer, and accept the result only if it matches the header's namespace root
 * ({@link Block#assemble}), so a wrong or missing transaction can never change what is voted on.
 *
 * <p>Wire form: {@code u8 tag=0x10, u64 view, header, u32 count, count x bytes32 id, QC justify,
 * u8 hasTc, [TC], Signature}. The tag lies outside {@code ConsensusCodec}'s tags, so both share one
 * topic. The leader's signature covers the block hash, which commits to the transactions.
 */
record CompactProposal(long view, BlockHeader header, List<Hash> txIds, QuorumCertificate justify,
    Optional<TimeoutCertificate> tc, Signature signature) {
  static final int TAG = 0x10;

  CompactProposal {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(justify, "justify");
    Objects.requireNonNull(tc, "tc");
    Objects.requireNonNull(signature, "signature");
    txIds = List.copyOf(txIds);
  }

  static CompactProposal of(Proposal proposal) {
    return new CompactProposal(proposal.view(), proposal.block().header(),
        proposal.block().transactions().stream().map(Transaction::id).toList(), proposal.justify(), proposal.tc(),
        proposal.signature());
  }

  /** The full proposal, once the transactions are known; throws {@link DecodingException} if they do not match. */
  Proposal withTransactions(List<Transaction> transactions) {
    return new Proposal(view, Block.assemble(header, transactions), justify, tc, signature);
  }

  byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(BlockHeader.ENCODED_LENGTH + 64 + Hash.LENGTH * txIds.size() + 512);
    writer.u8(TAG).u64(view);
    header.writeTo(writer);
    writer.u32(txIds.size());
    txIds.forEach(writer::hash);
    justify.writeTo(writer);
    writer.u8(tc.isPresent() ? 1 : 0);
    tc.ifPresent(value -> value.writeTo(writer));
    signature.writeTo(writer);
    return writer.toByteArray();
  }

  static boolean isCompact(byte[] encoded) {
    return encoded.length > 0 && (encoded[0] & 0xff) == TAG;
  }

  /** Strict decoding: bounded sizes, the count equal to the header's, no trailing bytes. */
  static CompactProposal decode(byte[] encoded, int maxBytes) {
    if (encoded.length > maxBytes) {
      throw new DecodingException("compact proposal of " + encoded.length + " bytes exceeds " + maxBytes);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int tag = reader.u8("message tag");
    if (tag != TAG) {
      throw new DecodingException("not a compact proposal (tag " + tag + ")");
    }
    long view = reader.unsigned63("view");
    BlockHeader header = BlockHeader.read(reader);
    int count = reader.count(Block.MAX_TRANSACTIONS, "transaction id");
    if (count != header.txCount()) {
      throw new DecodingException("compact proposal lists " + count + " ids but its header says " + header.txCount());
    }
    if ((long) count * Hash.LENGTH > encoded.length) {
      throw new DecodingException("compact proposal is too short for " + count + " ids");
    }
    List<Hash> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(reader.hash("transaction id"));
    }
    QuorumCertificate justify = QuorumCertificate.read(reader);
    int flag = reader.u8("TC flag");
    if (flag > 1) {
      throw new DecodingException("TC flag must be 0 or 1, got " + flag);
    }
    Optional<TimeoutCertificate> tc = flag == 1 ? Optional.of(TimeoutCertificate.read(reader)) : Optional.empty();
    Signature signature = Signature.read(reader);
    reader.end();
    return new CompactProposal(view, header, ids, justify, tc, signature);
  }
}
