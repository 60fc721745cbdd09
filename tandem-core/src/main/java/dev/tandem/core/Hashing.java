package dev.tandem.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Domain-separated SHA-256: {@code SHA-256(len(tag) || tag || data...)}. Every hashed or signed
 * structure in Tandem has its own tag, so that bytes valid in one role can never be replayed in
 * another.
 *
 * <p>The JDK's SHA-256, which HotSpot compiles to the CPU's SHA instructions where it has them:
 * 4-7x Bouncy Castle's pure-Java digest on this project's machines ({@code HashingBench}). One
 * digest per thread, reset before use.
 */
public final class Hashing {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hashing::newSha256);

  private Hashing() {}

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static MessageDigest sha256Digest() {
    MessageDigest digest = SHA256.get();
    digest.reset();
    return digest;
  }

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
    MessageDigest digest = sha256Digest();
    digest.update(domain.prefix());
    for (byte[] part : parts) {
      digest.update(part);
    }
    return Hash.wrap(digest.digest());
  }

  /** Plain SHA-256 with no domain tag, for external formats (EIP-4844 versioned hashes, libp2p). */
  public static byte[] sha256(byte[] data) {
    return sha256Digest().digest(data);
  }
}
