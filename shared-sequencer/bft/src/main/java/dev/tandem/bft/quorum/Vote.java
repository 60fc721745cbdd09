package dev.tandem.bft.quorum;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Verification;
import java.util.Objects;

/**
 * A validator's vote for a block proposed in {@code view}. {@code parentView} is the view of the
 * QC the proposal extended; signing it makes a QC self-describing for the two-chain commit rule.
 *
 * <p>Signed message: {@code H(VOTE, u64 chainId, u64 view, u64 height, bytes32 blockHash, u64 parentView)}.
 * Encoding: those fields, then the {@link Signature}.
 */
public record Vote(long chainId, long view, long height, Hash blockHash, long parentView, Signature signature) {
  public static final int ENCODED_LENGTH = 8 + 8 + 8 + Hash.LENGTH + 8 + Signature.ENCODED_LENGTH;

  public Vote {
    Objects.requireNonNull(blockHash, "blockHash");
    Objects.requireNonNull(signature, "signature");
  }

  public static byte[] signingBytes(long chainId, long view, long height, Hash blockHash, long parentView) {
    byte[] body = new CanonicalWriter(64).u64(chainId).u64(view).u64(height).hash(blockHash).u64(parentView)
        .toByteArray();
    return Hashing.hash(Hashing.Domain.VOTE, body).toBytes();
  }

  public static Vote sign(KeyPair key, long chainId, long view, long height, Hash blockHash, long parentView) {
    byte[] sig = key.sign(signingBytes(chainId, view, height, blockHash, parentView));
    return new Vote(chainId, view, height, blockHash, parentView, new Signature(key.publicKey(), sig));
  }

  public byte[] signingBytes() {
    return signingBytes(chainId, view, height, blockHash, parentView);
  }

  public Verification verify(ValidatorSet validators) {
    if (!validators.contains(signature.signer())) {
      return Verification.failed("vote signer " + signature.signer() + " is not a validator");
    }
    if (!signature.verify(signingBytes())) {
      return Verification.failed("vote signature by " + signature.signer() + " does not verify");
    }
    return Verification.OK;
  }

  public void writeTo(CanonicalWriter writer) {
    writer.u64(chainId).u64(view).u64(height).hash(blockHash).u64(parentView);
    signature.writeTo(writer);
  }

  public static Vote read(CanonicalReader reader) {
    long chainId = reader.u64("chain id");
    long view = reader.unsigned63("view");
    long height = reader.unsigned63("height");
    Hash blockHash = reader.hash("block hash");
    long parentView = reader.unsigned63("parent view");
    return new Vote(chainId, view, height, blockHash, parentView, Signature.read(reader));
  }
}
