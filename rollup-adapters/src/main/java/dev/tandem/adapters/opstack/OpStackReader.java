package dev.tandem.adapters.opstack;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads batcher payloads back into batches, the way a verifier would after fetching them from
 * the DA layer: frames are grouped by channel in order of first appearance, each channel is
 * joined, decompressed and decoded. Stricter than op-node's channel bank (no timeouts, no
 * dropping): every channel must be complete, so a missing or broken frame is an error here.
 */
public final class OpStackReader {
  private OpStackReader() {}

  /** Batches from calldata payloads ({@code 0x00 ++ frames}). */
  public static List<OpBatch> fromCalldata(List<byte[]> payloads, long maxRlpBytesPerChannel) {
    List<Frame> frames = new ArrayList<>();
    for (byte[] payload : payloads) {
      frames.addAll(Frames.decodeBatcherData(payload));
    }
    return fromFrames(frames, maxRlpBytesPerChannel);
  }

  /** Batches from version-0 encoded blobs. */
  public static List<OpBatch> fromBlobs(List<byte[]> blobs, long maxRlpBytesPerChannel) {
    List<Frame> frames = new ArrayList<>();
    for (byte[] blob : blobs) {
      frames.addAll(Frames.decodeBatcherData(BlobCodec.decode(blob)));
    }
    return fromFrames(frames, maxRlpBytesPerChannel);
  }

  private static List<OpBatch> fromFrames(List<Frame> frames, long maxRlpBytesPerChannel) {
    Map<String, List<Frame>> channels = new LinkedHashMap<>();
    HexFormat hex = HexFormat.of();
    for (Frame frame : frames) {
      channels.computeIfAbsent(hex.formatHex(frame.channelId()), k -> new ArrayList<>()).add(frame);
    }
    List<OpBatch> batches = new ArrayList<>();
    for (Map.Entry<String, List<Frame>> channel : channels.entrySet()) {
      DecodedChannel decoded;
      try {
        decoded = ChannelCodec.decode(Frames.join(channel.getValue()), maxRlpBytesPerChannel);
      } catch (OpStackDecodingException e) {
        throw new OpStackDecodingException("channel 0x" + channel.getKey() + ": " + e.getMessage(), e);
      }
      if (decoded.truncatedAtLimit()) {
        throw new OpStackDecodingException("channel 0x" + channel.getKey() + " exceeds "
            + maxRlpBytesPerChannel + " RLP bytes");
      }
      batches.addAll(decoded.batches());
    }
    return batches;
  }
}
