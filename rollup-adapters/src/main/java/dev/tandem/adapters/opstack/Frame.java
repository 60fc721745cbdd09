package dev.tandem.adapters.opstack;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A channel frame: {@code channel_id(16) ++ frame_number(u16) ++ frame_data_length(u32) ++
 * frame_data ++ is_last(u8)}, big-endian, 23 bytes of overhead.
 */
public record Frame(byte[] channelId, int frameNumber, byte[] data, boolean isLast) {
  public static final int CHANNEL_ID_LENGTH = 16;
  public static final int OVERHEAD = CHANNEL_ID_LENGTH + 2 + 4 + 1;
  /** The spec caps frame_data_length at 1,000,000 bytes. */
  public static final int MAX_FRAME_DATA_LENGTH = 1_000_000;
  public static final int MAX_FRAME_NUMBER = 0xFFFF;

  public Frame {
    if (channelId == null || channelId.length != CHANNEL_ID_LENGTH) {
      throw new IllegalArgumentException("channel id must be " + CHANNEL_ID_LENGTH + " bytes");
    }
    if (frameNumber < 0 || frameNumber > MAX_FRAME_NUMBER) {
      throw new IllegalArgumentException("frame number " + frameNumber + " outside uint16");
    }
    if (data.length > MAX_FRAME_DATA_LENGTH) {
      throw new IllegalArgumentException("frame data of " + data.length + " bytes exceeds " + MAX_FRAME_DATA_LENGTH);
    }
    channelId = channelId.clone();
    data = data.clone();
  }

  @Override
  public byte[] channelId() {
    return channelId.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public int encodedLength() {
    return OVERHEAD + data.length;
  }

  public byte[] encode() {
    return ByteBuffer.allocate(encodedLength())
        .put(channelId)
        .putShort((short) frameNumber)
        .putInt(data.length)
        .put(data)
        .put((byte) (isLast ? 1 : 0))
        .array();
  }

  /**
   * Reads one frame at the buffer's position and advances past it.
   *
   * @throws OpStackDecodingException if the frame is truncated, too long or its is_last byte is
   *     neither 0 nor 1
   */
  static Frame read(ByteBuffer in) {
    int start = in.position();
    if (in.remaining() < CHANNEL_ID_LENGTH + 2 + 4) {
      throw new OpStackDecodingException("frame at offset " + start + " truncated: header needs "
          + (CHANNEL_ID_LENGTH + 6) + " bytes, " + in.remaining() + " left");
    }
    byte[] id = new byte[CHANNEL_ID_LENGTH];
    in.get(id);
    int number = Short.toUnsignedInt(in.getShort());
    long length = Integer.toUnsignedLong(in.getInt());
    if (length > MAX_FRAME_DATA_LENGTH) {
      throw new OpStackDecodingException("frame at offset " + start + ": frame_data_length " + length
          + " exceeds " + MAX_FRAME_DATA_LENGTH);
    }
    if (in.remaining() < length + 1) {
      throw new OpStackDecodingException("frame at offset " + start + " truncated: " + length
          + " data bytes and is_last declared, " + in.remaining() + " left");
    }
    byte[] data = new byte[(int) length];
    in.get(data);
    int last = in.get() & 0xFF;
    if (last > 1) {
      throw new OpStackDecodingException("frame at offset " + start + ": invalid is_last byte " + last);
    }
    return new Frame(id, number, data, last == 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f && frameNumber == f.frameNumber && isLast == f.isLast
        && Arrays.equals(channelId, f.channelId) && Arrays.equals(data, f.data);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(channelId) + frameNumber) + Arrays.hashCode(data) + (isLast ? 1 : 0);
  }

  @Override
  public String toString() {
    return "Frame[channel=0x" + HexFormat.of().formatHex(channelId) + ", number=" + frameNumber
        + ", dataLength=" + data.length + ", isLast=" + isLast + "]";
  }
}
