package dev.tandem.adapters.opstack;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.web3j.crypto.Hash;

/**
 * Made-up but deterministic L2 block attributes, for devnets and tests where no rollup engine runs:
 * every block has the same L1 origin, block N's timestamp is {@code genesisTimestamp + N *
 * blockTimeSeconds}, and its parent hash is {@code keccak256("tandem/static-l2/" ++ u64(N - 1))}.
 * A real op-node would reject such batches: the hashes are not those of any executed block.
 */
public final class StaticL2EngineView implements L2EngineView {
  private static final byte[] DOMAIN = "tandem/static-l2/".getBytes(StandardCharsets.US_ASCII);
  private final long l1OriginNumber;
  private final byte[] l1OriginHash;
  private final long genesisTimestamp;
  private final long blockTimeSeconds;

  public StaticL2EngineView(long l1OriginNumber, byte[] l1OriginHash, long genesisTimestamp, long blockTimeSeconds) {
    if (l1OriginHash.length != 32 || blockTimeSeconds < 1) {
      throw new IllegalArgumentException("l1OriginHash must be 32 bytes and blockTimeSeconds positive");
    }
    this.l1OriginNumber = l1OriginNumber;
    this.l1OriginHash = l1OriginHash.clone();
    this.genesisTimestamp = genesisTimestamp;
    this.blockTimeSeconds = blockTimeSeconds;
  }

  @Override
  public L2BlockAttributes blockAttributes(long blockNumber) {
    byte[] parent = Hash.sha3(ByteBuffer.allocate(DOMAIN.length + 8).put(DOMAIN).putLong(blockNumber - 1).array());
    return new L2BlockAttributes(parent, l1OriginNumber, l1OriginHash,
        Math.addExact(genesisTimestamp, Math.multiplyExact(blockNumber, blockTimeSeconds)));
  }
}
