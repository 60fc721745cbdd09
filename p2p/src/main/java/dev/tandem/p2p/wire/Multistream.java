package dev.tandem.p2p.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * multistream-select 1.0: uvarint-length-prefixed, newline-terminated messages; the dialer proposes
 * protocols one at a time, the listener echoes one it supports or answers {@code na}. One instance
 * negotiates once, for either role. Not thread-safe: feed it from one thread.
 */
public final class Multistream {
  public static final String HEADER = "/multistream/1.0.0";
  public static final String NA = "na";
  /** Longest protocol id line accepted (the spec bounds messages; go/js use 1024). */
  public static final int MAX_MESSAGE = 1024;
  private static final int MAX_ATTEMPTS = 16;

  private final List<String> proposals;
  private final Predicate<String> supported;
  private final Consumer<ByteBuf> send;
  private boolean headerReceived;
  private int attempt;

  private Multistream(List<String> proposals, Predicate<String> supported, Consumer<ByteBuf> send) {
    this.proposals = proposals;
    this.supported = supported;
    this.send = send;
  }

  /** Dialer: sends the header and the first proposal at once (as go and js do). */
  public static Multistream dialer(List<String> proposals, Consumer<ByteBuf> send) {
    if (proposals.isEmpty()) {
      throw new IllegalArgumentException("no protocols to propose");
    }
    Multistream m = new Multistream(List.copyOf(proposals), null, send);
    ByteBuf out = Unpooled.buffer();
    writeMessage(out, HEADER);
    writeMessage(out, proposals.get(0));
    send.accept(out);
    return m;
  }

  /** Listener: accepts the first proposal the predicate accepts. */
  public static Multistream listener(Predicate<String> supported, Consumer<ByteBuf> send) {
    return new Multistream(null, supported, send);
  }

  /**
   * Consumes complete messages from {@code in}. Returns the agreed protocol once negotiation is
   * done (bytes after it are left in {@code in}), or null when more input is needed. Throws
   * {@link WireException} when the peer breaks the protocol or no protocol is agreed.
   */
  public String onData(ByteBuf in) {
    while (true) {
      String msg = readMessage(in);
      if (msg == null) {
        return null;
      }
      if (!headerReceived) {
        if (!msg.equals(HEADER)) {
          throw new WireException("expected multistream header, got '" + printable(msg) + "'");
        }
        headerReceived = true;
        if (proposals == null) {
          ByteBuf out = Unpooled.buffer();
          writeMessage(out, HEADER);
          send.accept(out);
        }
        continue;
      }
      String agreed = proposals != null ? dialerStep(msg) : listenerStep(msg);
      if (agreed != null) {
        return agreed;
      }
    }
  }

  private String dialerStep(String msg) {
    String proposed = proposals.get(attempt);
    if (msg.equals(proposed)) {
      return proposed;
    }
    if (!msg.equals(NA)) {
      throw new WireException("unexpected multistream reply '" + printable(msg) + "' to " + proposed);
    }
    attempt++;
    if (attempt >= proposals.size()) {
      throw new WireException("peer supports none of " + proposals);
    }
    ByteBuf out = Unpooled.buffer();
    writeMessage(out, proposals.get(attempt));
    send.accept(out);
    return null;
  }

  private String listenerStep(String msg) {
    if (++attempt > MAX_ATTEMPTS) {
      throw new WireException("too many multistream proposals");
    }
    ByteBuf out = Unpooled.buffer();
    if (!msg.equals("ls") && supported.test(msg)) {
      writeMessage(out, msg);
      send.accept(out);
      return msg;
    }
    writeMessage(out, NA);
    send.accept(out);
    return null;
  }

  public static void writeMessage(ByteBuf out, String msg) {
    byte[] b = msg.getBytes(StandardCharsets.UTF_8);
    Varint.write(out, b.length + 1L);
    out.writeBytes(b);
    out.writeByte('\n');
  }

  /** Reads one message without its newline; null if incomplete. */
  public static String readMessage(ByteBuf in) {
    int start = in.readerIndex();
    long len = Varint.read(in);
    if (len < 0) {
      return null;
    }
    if (len == 0 || len > MAX_MESSAGE) {
      throw new WireException("multistream message length " + len + " out of range");
    }
    if (in.readableBytes() < len) {
      in.readerIndex(start);
      return null;
    }
    byte[] b = new byte[(int) len];
    in.readBytes(b);
    if (b[b.length - 1] != '\n') {
      throw new WireException("multistream message not newline-terminated");
    }
    return new String(b, 0, b.length - 1, StandardCharsets.UTF_8);
  }

  private static String printable(String s) {
    String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
