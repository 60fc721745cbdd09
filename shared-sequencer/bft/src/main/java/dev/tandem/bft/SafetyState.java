package dev.tandem.bft;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.core.Block;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a validator must never forget: the highest view it voted or timed out in, its highest QC
 * (its lock), and the certified blocks from the lock's block down towards the committed tip
 * ({@code lockedChain}, newest first, at most {@link ConsensusCore#SYNC_BATCH}). The blocks are for
 * liveness: after a TC every leader must extend the highest QC, so if every node restarts and none
 * kept that QC's block, no leader can ever propose again.
 *
 * <p>Encoding: {@code u64 lastVotedView, QC highQc, u32 count, count x (bytes block, QC)}. An
 * encoding that ends after {@code highQc} (written before blocks were kept) decodes with no blocks.
 */
public record SafetyState(long lastVotedView, QuorumCertificate highQc, List<CertifiedBlock> lockedChain) {
  public SafetyState {
    Objects.requireNonNull(highQc, "highQc");
    lockedChain = List.copyOf(lockedChain);
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(256);
    writer.u64(lastVotedView);
    highQc.writeTo(writer);
    writer.u32(lockedChain.size());
    for (CertifiedBlock entry : lockedChain) {
      writer.bytes(entry.block().encode());
      entry.qc().writeTo(writer);
    }
    return writer.toByteArray();
  }

  public static SafetyState decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    long lastVotedView = reader.unsigned63("last voted view");
    QuorumCertificate highQc = QuorumCertificate.read(reader);
    List<CertifiedBlock> chain = new ArrayList<>();
    if (reader.remaining() > 0) {
      int count = reader.count(ConsensusCore.SYNC_BATCH, "locked block");
      for (int i = 0; i < count; i++) {
        Block block = Block.decode(reader.bytes(Block.MAX_ENCODED_BYTES, "block"));
        chain.add(new CertifiedBlock(block, QuorumCertificate.read(reader)));
      }
    }
    reader.end();
    return new SafetyState(lastVotedView, highQc, chain);
  }
}
