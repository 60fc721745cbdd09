package dev.tandem.bundles;

import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import dev.tandem.core.PublicKey;
import java.security.SecureRandom;
import java.util.Random;

/**
 * Bundle keys and the signed digests of the bundle domain. All use {@link Hashing.Domain#BUNDLE},
 * with a one-byte role first so that a key can never be confused with a cancel digest.
 */
public final class BundleKeys {
  private static final byte ROLE_KEY = 1;
  private static final byte ROLE_CANCEL = 2;

  private BundleKeys() {}

  /** {@code H_bundle(0x01 || signer || replacementId)}: known before any leg is signed. */
  public static Hash key(PublicKey signer, Hash replacementId) {
    return Hashing.hash(Hashing.Domain.BUNDLE, new byte[] {ROLE_KEY}, signer.toBytes(), replacementId.toBytes());
  }

  /** A fresh replacement id, for bundles whose user asks for none. */
  public static Hash randomReplacementId(Random random) {
    byte[] bytes = new byte[Hash.LENGTH];
    random.nextBytes(bytes);
    return Hash.of(bytes);
  }

  public static Hash randomReplacementId() {
    return randomReplacementId(new SecureRandom());
  }

  /** What a cancel's signer signs: {@code H_bundle(0x02 || u64 chainId || signer || replacementId || u64 upTo)}. */
  static Hash cancelDigest(long chainId, PublicKey signer, Hash replacementId, long upToRevision) {
    byte[] body = new CanonicalWriter(8 + PublicKey.LENGTH + Hash.LENGTH + 8).u64(chainId).fixed(signer.toBytes())
        .hash(replacementId).u64(upToRevision).toByteArray();
    return Hashing.hash(Hashing.Domain.BUNDLE, new byte[] {ROLE_CANCEL}, body);
  }
}
