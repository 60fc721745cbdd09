package dev.tandem.adapters.opstack;

/**
 * What the rollup's execution engine knows about an L2 block and a batch must carry: the hash of
 * its parent, its L1 origin (epoch number and hash) and its timestamp.
 */
public record L2BlockAttributes(byte[] parentHash, long epochNumber, byte[] epochHash, long timestamp) {
  public L2BlockAttributes {
    if (parentHash == null || parentHash.length != 32 || epochHash == null || epochHash.length != 32) {
      throw new IllegalArgumentException("parentHash and epochHash must be 32 bytes");
    }
    if (epochNumber < 0 || timestamp < 0) {
      throw new IllegalArgumentException("epochNumber and timestamp must be non-negative");
    }
    parentHash = parentHash.clone();
    epochHash = epochHash.clone();
  }

  @Override
  public byte[] parentHash() {
    return parentHash.clone();
  }

  @Override
  public byte[] epochHash() {
    return epochHash.clone();
  }
}
