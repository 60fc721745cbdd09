package dev.tandem.bft;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import java.util.Objects;

/**
 * What a validator must never forget: the highest view it voted or timed out in, and its highest
 * QC (its lock). Encoding: {@code u64 lastVotedView, QC highQc}.
 */
public record SafetyState(long lastVotedView, QuorumCertificate highQc) {
  public SafetyState {
    Objects.requireNonNull(highQc, "highQc");
  }

  public byte[] encode() {
    CanonicalWriter writer = new CanonicalWriter(256);
    writer.u64(lastVotedView);
    highQc.writeTo(writer);
    return writer.toByteArray();
  }

  public static SafetyState decode(byte[] encoded) {
    CanonicalReader reader = new CanonicalReader(encoded);
    SafetyState state = new SafetyState(reader.unsigned63("last voted view"), QuorumCertificate.read(reader));
    reader.end();
    return state;
  }
}
