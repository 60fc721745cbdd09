package dev.tandem.bft;

import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import dev.tandem.core.KeyPair;
import dev.tandem.core.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A message between consensus cores. Wire form: {@link ConsensusCodec}. */
public sealed interface ConsensusMessage {

  /**
   * The leader's block for {@code view}, extending the block {@code justify} certifies, signed by the
   * leader over {@code (chainId, view, block hash)}: two signed proposals for one view with different
   * blocks are {@link Equivocation} evidence anyone can check.
   */
  record Proposal(long view, Block block, QuorumCertificate justify, Optional<TimeoutCertificate> tc,
      Signature signature) implements ConsensusMessage {
    public Proposal {
      Objects.requireNonNull(block, "block");
      Objects.requireNonNull(justify, "justify");
      Objects.requireNonNull(tc, "tc");
      Objects.requireNonNull(signature, "signature");
    }

    public static Proposal sign(KeyPair leader, long chainId, long view, Block block, QuorumCertificate justify,
        Optional<TimeoutCertificate> tc) {
      byte[] signature = leader.sign(signingBytes(chainId, view, block.hash()));
      return new Proposal(view, block, justify, tc, new Signature(leader.publicKey(), signature));
    }

    /** The domain-separated digest a leader signs: {@code H(proposal, u64 chainId, u64 view, bytes32 blockHash)}. */
    public static byte[] signingBytes(long chainId, long view, Hash blockHash) {
      byte[] body = new CanonicalWriter(48).u64(chainId).u64(view).hash(blockHash).toByteArray();
      return Hashing.hash(Hashing.Domain.PROPOSAL, body).toBytes();
    }

    /** Whether {@code leader} signed this proposal for {@code chainId}. */
    public boolean isSignedBy(PublicKey leader, long chainId) {
      return signature.signer().equals(leader) && signature.verify(signingBytes(chainId, view, block.hash()));
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
