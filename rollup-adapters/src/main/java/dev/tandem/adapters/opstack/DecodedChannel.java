package dev.tandem.adapters.opstack;

import java.util.List;

/**
 * The batches read back from a channel. {@code truncatedAtLimit} is true when the channel
 * decompressed to more than the max RLP bytes per channel: as op-node does, only the batches that
 * fit wholly under the limit are kept and the rest of the channel is ignored.
 */
public record DecodedChannel(ChannelCompression compression, List<OpBatch> batches, boolean truncatedAtLimit) {
  public DecodedChannel {
    batches = List.copyOf(batches);
  }
}
