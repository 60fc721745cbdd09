package dev.tandem.p2p.wire;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 varints (multiformats uvarint), at most 9 bytes as the spec allows. */
public final class Varint {
  public static final int MAX_BYTES = 9;

  private Varint() {}

  /**
   * Reads a uvarint at the reader index. Returns -1 and leaves the index unchanged when the buffer
   * holds only part of it; throws {@link WireException} when it is longer than 9 bytes or not minimal.
   */
  public static long read(ByteBuf in) {
    int start = in.readerIndex();
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (!in.isReadable()) {
        in.readerIndex(start);
        return -1;
      }
      int b = in.readUnsignedByte();
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new WireException("uvarint is not minimally encoded");
        }
        return value;
      }
    }
    throw new WireException("uvarint longer than " + MAX_BYTES + " bytes");
  }

  /** Reads a uvarint from an array; returns {value, bytesUsed}; throws if truncated or too long. */
  public static long[] read(byte[] in, int offset) {
    long value = 0;
    for (int i = 0; i < MAX_BYTES; i++) {
      if (offset + i >= in.length) {
        throw new WireException("truncated uvarint");
      }
      int b = in[offset + i] & 0xFF;
      value |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new WireException("uvarint is not minimally encoded");
        }
        return new long[] {value, i + 1};
      }
    }
    throw new WireException("uvarint longer than " + MAX_BYTES + " bytes");
  }

  public static void write(ByteBuf out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  public static void write(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  public static int size(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }
}
