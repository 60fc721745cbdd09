package dev.tandem.p2p.gossip;

import dev.tandem.p2p.PeerId;

/**
 * A message as delivered to subscribers and validators.
 *
 * @param topic the topic it was published on
 * @param data the application payload
 * @param from the original publisher (verified by its signature)
 * @param seqno the publisher's sequence number (8 bytes big-endian for messages we publish)
 * @param receivedFrom the neighbour that forwarded it to us (our own id for local publishes)
 */
public record GossipMessage(String topic, byte[] data, PeerId from, byte[] seqno, PeerId receivedFrom) {

  /** The default gossipsub message id: the publisher's peer id bytes followed by the seqno. */
  public static byte[] defaultId(GossipMessage m) {
    byte[] f = m.from().toBytes();
    byte[] id = new byte[f.length + m.seqno().length];
    System.arraycopy(f, 0, id, 0, f.length);
    System.arraycopy(m.seqno(), 0, id, f.length, m.seqno().length);
    return id;
  }
}
