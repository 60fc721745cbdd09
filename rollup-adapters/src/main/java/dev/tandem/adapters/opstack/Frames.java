package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splitting channel data into frames and joining them back, and the batcher transaction format
 * {@code derivation_version(0) ++ frame ...}.
 */
public final class Frames {
  public static final int DERIVATION_VERSION_0 = 0;

  private Frames() {}

  /**
   * Splits channel data into frames of at most {@code maxFrameSize} encoded bytes (overhead
   * included), numbered from 0, the last one marked. Empty data gives one empty closing frame.
   */
  public static List<Frame> split(byte[] channelId, byte[] channelData, int maxFrameSize) {
    int perFrame = Math.min(maxFrameSize - Frame.OVERHEAD, Frame.MAX_FRAME_DATA_LENGTH);
    if (perFrame < 1) {
      throw new IllegalArgumentException("max frame size " + maxFrameSize + " leaves no room past the "
          + Frame.OVERHEAD + "-byte frame overhead");
    }
    int count = Math.max(1, (channelData.length + perFrame - 1) / perFrame);
    if (count > Frame.MAX_FRAME_NUMBER + 1) {
      throw new IllegalArgumentException("channel of " + channelData.length + " bytes needs " + count
          + " frames of " + perFrame + " bytes; at most " + (Frame.MAX_FRAME_NUMBER + 1) + " allowed");
    }
    List<Frame> frames = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int from = i * perFrame;
      int to = Math.min(channelData.length, from + perFrame);
      frames.add(new Frame(channelId, i, Arrays.copyOfRange(channelData, from, to), i == count - 1));
    }
    return frames;
  }

  /**
   * Reassembles one channel's data from its frames, given in any order.
   *
   * @throws OpStackDecodingException if the frames mix channels, repeat or miss a number, or the
   *     closing frame is not the highest-numbered one
   */
  public static byte[] join(List<Frame> frames) {
    if (frames.isEmpty()) {
      throw new OpStackDecodingException("no frames to join");
    }
    byte[] id = frames.get(0).channelId();
    Frame[] byNumber = new Frame[frames.size()];
    for (Frame frame : frames) {
      if (!Arrays.equals(id, frame.channelId())) {
        throw new OpStackDecodingException("frames belong to different channels");
      }
      if (frame.frameNumber() >= byNumber.length || byNumber[frame.frameNumber()] != null) {
        throw new OpStackDecodingException("frame numbers are not exactly 0.." + (byNumber.length - 1)
            + " (got " + frame.frameNumber() + ")");
      }
      byNumber[frame.frameNumber()] = frame;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < byNumber.length; i++) {
      boolean last = i == byNumber.length - 1;
      if (byNumber[i].isLast() != last) {
        throw new OpStackDecodingException(last ? "the highest frame " + i + " is not marked last"
            : "frame " + i + " is marked last but frames follow it");
      }
      out.writeBytes(byNumber[i].data());
    }
    return out.toByteArray();
  }

  /** Batcher transaction data (calldata, or the content of a blob): version 0 then the frames. */
  public static byte[] encodeBatcherData(List<Frame> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("batcher data carries at least one frame");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(DERIVATION_VERSION_0);
    for (Frame frame : frames) {
      out.writeBytes(frame.encode());
    }
    return out.toByteArray();
  }

  /**
   * Parses batcher transaction data. As op-node does, one bad frame rejects the whole
   * transaction.
   *
   * @throws OpStackDecodingException on an empty payload, an unknown derivation version, no
   *     frames, or a malformed or truncated frame
   */
  public static List<Frame> decodeBatcherData(byte[] data) {
    if (data.length == 0) {
      throw new OpStackDecodingException("empty batcher transaction data");
    }
    if (data[0] != DERIVATION_VERSION_0) {
      throw new OpStackDecodingException("unknown derivation version " + (data[0] & 0xFF));
    }
    ByteBuffer in = ByteBuffer.wrap(data, 1, data.length - 1);
    List<Frame> frames = new ArrayList<>();
    while (in.hasRemaining()) {
      frames.add(Frame.read(in));
    }
    if (frames.isEmpty()) {
      throw new OpStackDecodingException("batcher transaction data holds no frame");
    }
    return frames;
  }
}
