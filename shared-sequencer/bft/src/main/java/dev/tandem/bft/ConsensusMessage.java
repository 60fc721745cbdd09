package dev.tandem.bft;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A message between consensus cores. Wire form: {@link ConsensusCodec}. */
public sealed interface ConsensusMessage {

  /** The leader's block for {@code view}, extending the block {@code justify} certifies. */
  record Proposal(long view, Block block, QuorumCertificate justify, Optional<TimeoutCertificate> tc)
      implements ConsensusMessage {
    public Proposal {
      Objects.requireNonNull(block, "block");
      Objects.requireNonNull(justify, "justify");
      Objects.requireNonNull(tc, "tc");
    }
  }

  /** A vote, sent to the leader of the next view. */
  record VoteMessage(Vote vote) implements ConsensusMessage {
    public VoteMessage {
      Objects.requireNonNull(vote, "vote");
    }
  }

  /**
   * The sender gives up on {@code view}. Signs {@code (chainId, view, highQc.view)}; carries its
   * highest QC and, when it has one, the TC for {@code view - 1} so laggards can catch up.
   */
  record Timeout(long view, QuorumCertificate highQc, Optional<TimeoutCertificate> lastTc, Signature signature)
      implements ConsensusMessage {
    public Timeout {
      Objects.requireNonNull(highQc, "highQc");
      Objects.requireNonNull(lastTc, "lastTc");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /** Asks for the block {@code blockHash} and up to {@code count - 1} of its ancestors. */
  record BlockRequest(Hash blockHash, int count) implements ConsensusMessage {
    public BlockRequest {
      Objects.requireNonNull(blockHash, "blockHash");
    }
  }

  /** Certified blocks, newest first, each the parent of the one before. */
  record BlockResponse(List<CertifiedBlock> blocks) implements ConsensusMessage {
    public BlockResponse {
      blocks = List.copyOf(blocks);
    }
  }
}
