package dev.tandem.core;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * Domain-separated SHA-256: {@code SHA-256(len(tag) || tag || data...)}. Every hashed or signed
 * structure in Tandem has its own tag, so that bytes valid in one role can never be replayed in
 * another.
 */
public final class Hashing {
  private Hashing() {}

  /** The domain tags in use. Adding one is free; changing one is a hard fork. */
  public enum Domain {
    TX_SIGNING("tandem/tx/v1"),
    BLOCK_HEADER("tandem/block-header/v1"),
    NMT_LEAF("tandem/nmt/leaf/v1"),
    NMT_NODE("tandem/nmt/node/v1"),
    VOTE("tandem/vote/v1"),
    TIMEOUT("tandem/timeout/v1"),
    PROPOSAL("tandem/proposal/v1"),
    BUNDLE("tandem/bundle/v1"),
    BATCH("tandem/batch/v1");

    private final byte[] prefix;

    Domain(String tag) {
      byte[] tagBytes = tag.getBytes(StandardCharsets.US_ASCII);
      prefix = new byte[1 + tagBytes.length];
      prefix[0] = (byte) tagBytes.length;
      System.arraycopy(tagBytes, 0, prefix, 1, tagBytes.length);
    }

    byte[] prefix() {
      return prefix;
    }
  }

  public static Hash hash(Domain domain, byte[]... parts) {
    SHA256Digest digest = new SHA256Digest();
    byte[] prefix = domain.prefix();
    digest.update(prefix, 0, prefix.length);
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[Hash.LENGTH];
    digest.doFinal(out, 0);
    return Hash.wrap(out);
  }

  /** Plain SHA-256 with no domain tag, for external formats (EIP-4844 versioned hashes, libp2p). */
  public static byte[] sha256(byte[] data) {
    SHA256Digest digest = new SHA256Digest();
    digest.update(data, 0, data.length);
    byte[] out = new byte[Hash.LENGTH];
    digest.doFinal(out, 0);
    return out;
  }
}
