package dev.tandem.p2p.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into uvarint-length-prefixed messages, refusing any longer than a limit
 * before buffering it. Not thread-safe.
 */
public final class LengthPrefixedReader {
  private final int maxMessage;
  private final ByteBuf buffer = Unpooled.buffer();

  public LengthPrefixedReader(int maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Appends {@code data} and passes each complete message to {@code out}. */
  public void onData(ByteBuf data, Consumer<byte[]> out) {
    buffer.writeBytes(data);
    while (true) {
      int start = buffer.readerIndex();
      long len = Varint.read(buffer);
      if (len < 0) {
        break;
      }
      if (len > maxMessage) {
        throw new WireException("message of " + len + " bytes exceeds the limit of " + maxMessage);
      }
      if (buffer.readableBytes() < len) {
        buffer.readerIndex(start);
        break;
      }
      byte[] msg = new byte[(int) len];
      buffer.readBytes(msg);
      out.accept(msg);
    }
    buffer.discardReadBytes();
  }

  /** True when a message has started but not completed. */
  public boolean hasPartial() {
    return buffer.isReadable();
  }

  public static ByteBuf frame(byte[] msg) {
    ByteBuf out = Unpooled.buffer(Varint.size(msg.length) + msg.length);
    Varint.write(out, msg.length);
    out.writeBytes(msg);
    return out;
  }
}
