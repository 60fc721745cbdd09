package dev.tandem.p2p.gossip;

import dev.tandem.p2p.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A message as delivered to subscribers and validators.
 *
 * @param topic the topic it was published on
 * @param data the application payload
 * @param from the original publisher (verified by its signature); on a StrictNoSign topic, the
 *     neighbour that forwarded it
 * @param seqno the publisher's sequence number (8 bytes big-endian for messages we publish); empty
 *     on a StrictNoSign topic
 * @param receivedFrom the neighbour that forwarded it to us (our own id for local publishes)
 */
public record GossipMessage(String topic, byte[] data, PeerId from, byte[] seqno, PeerId receivedFrom) {
  private static final byte[] CONTENT_ID_DOMAIN = "tandem-gossip-content-id".getBytes(StandardCharsets.US_ASCII);

  /**
   * The id of a message on a StrictNoSign topic: the first 20 bytes of SHA-256 over a domain tag,
   * the topic, a zero byte and the data. Equal payloads on one topic are one message.
   */
  public static byte[] contentId(String topic, byte[] data) {
    return contentId(topic, ByteBuffer.wrap(data));
  }

  /** {@link #contentId(String, byte[])} of the data remaining in a buffer (read, not copied). */
  public static byte[] contentId(String topic, ByteBuffer data) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    sha256.update(CONTENT_ID_DOMAIN);
    sha256.update(topic.getBytes(StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    sha256.update(data);
    return Arrays.copyOf(sha256.digest(), 20);
  }

  /** The default gossipsub message id: the publisher's peer id bytes followed by the seqno. */
  public static byte[] defaultId(GossipMessage m) {
    byte[] f = m.from().toBytes();
    byte[] id = new byte[f.length + m.seqno().length];
    System.arraycopy(f, 0, id, 0, f.length);
    System.arraycopy(m.seqno(), 0, id, f.length, m.seqno().length);
    return id;
  }
}
