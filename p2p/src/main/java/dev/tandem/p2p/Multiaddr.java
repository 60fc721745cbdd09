package dev.tandem.p2p;

import dev.tandem.p2p.wire.Varint;
import dev.tandem.p2p.wire.WireException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A multiaddr such as {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...}, in text and binary form.
 * Knows the protocols a TCP libp2p node meets; others are refused with a {@link WireException}.
 */
public record Multiaddr(List<Component> components) {

  /** One protocol with its value (empty for protocols without one). */
  public record Component(Protocol protocol, String value) {}

  /** The multiaddr protocols this stack understands, with their multicodec codes. */
  public enum Protocol {
    IP4(4, "ip4", 4),
    TCP(6, "tcp", 2),
    DNS(53, "dns", -1),
    DNS4(54, "dns4", -1),
    DNS6(55, "dns6", -1),
    IP6(41, "ip6", 16),
    UDP(273, "udp", 2),
    P2P_CIRCUIT(290, "p2p-circuit", 0),
    P2P(421, "p2p", -1),
    QUIC_V1(461, "quic-v1", 0),
    WS(477, "ws", 0),
    WSS(478, "wss", 0);

    final int code;
    final String text;
    /** Fixed value size in bytes, 0 for none, -1 for a length-prefixed value. */
    final int size;

    Protocol(int code, String text, int size) {
      this.code = code;
      this.text = text;
      this.size = size;
    }

    static Protocol byName(String name) {
      for (Protocol p : values()) {
        if (p.text.equals(name)) {
          return p;
        }
      }
      throw new WireException("unknown multiaddr protocol '" + name + "'");
    }

    static Protocol byCode(long code) {
      for (Protocol p : values()) {
        if (p.code == code) {
          return p;
        }
      }
      throw new WireException("unknown multiaddr protocol code " + code);
    }
  }

  public Multiaddr {
    components = List.copyOf(components);
    if (components.isEmpty()) {
      throw new WireException("empty multiaddr");
    }
  }

  /** A TCP address, optionally with the peer ID. */
  public static Multiaddr tcp(InetSocketAddress address, PeerId peer) {
    List<Component> c = new ArrayList<>();
    InetAddress ip = address.getAddress();
    c.add(new Component(ip.getAddress().length == 4 ? Protocol.IP4 : Protocol.IP6, ip.getHostAddress()));
    c.add(new Component(Protocol.TCP, Integer.toString(address.getPort())));
    if (peer != null) {
      c.add(new Component(Protocol.P2P, peer.toString()));
    }
    return new Multiaddr(c);
  }

  public static Multiaddr parse(String text) {
    if (!text.startsWith("/")) {
      throw new WireException("multiaddr must start with '/': " + text);
    }
    String[] parts = text.substring(1).split("/", -1);
    List<Component> out = new ArrayList<>();
    int i = 0;
    while (i < parts.length) {
      Protocol p = Protocol.byName(parts[i++]);
      String value = "";
      if (p.size != 0) {
        if (i >= parts.length || parts[i].isEmpty()) {
          throw new WireException("multiaddr protocol /" + p.text + " needs a value: " + text);
        }
        value = parts[i++];
      }
      out.add(component(p, value));
    }
    return new Multiaddr(out);
  }

  public static Multiaddr fromBytes(byte[] bytes) {
    List<Component> out = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      long[] code = Varint.read(bytes, pos);
      pos += (int) code[1];
      Protocol p = Protocol.byCode(code[0]);
      int len = p.size;
      if (len < 0) {
        long[] l = Varint.read(bytes, pos);
        pos += (int) l[1];
        if (l[0] > bytes.length - pos) {
          throw new WireException("truncated multiaddr value for /" + p.text);
        }
        len = (int) l[0];
      }
      if (pos + len > bytes.length) {
        throw new WireException("truncated multiaddr value for /" + p.text);
      }
      byte[] raw = Arrays.copyOfRange(bytes, pos, pos + len);
      pos += len;
      out.add(new Component(p, valueToString(p, raw)));
    }
    return new Multiaddr(out);
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      Varint.write(out, c.protocol().code);
      byte[] raw = valueToBytes(c.protocol(), c.value());
      if (c.protocol().size < 0) {
        Varint.write(out, raw.length);
      }
      out.writeBytes(raw);
    }
    return out.toByteArray();
  }

  /** The peer ID of the last /p2p component, if any. */
  public Optional<PeerId> peerId() {
    for (int i = components.size() - 1; i >= 0; i--) {
      if (components.get(i).protocol() == Protocol.P2P) {
        return Optional.of(PeerId.fromString(components.get(i).value()));
      }
    }
    return Optional.empty();
  }

  public Multiaddr withPeerId(PeerId peer) {
    List<Component> c = new ArrayList<>(withoutPeerId().components);
    c.add(new Component(Protocol.P2P, peer.toString()));
    return new Multiaddr(c);
  }

  public Multiaddr withoutPeerId() {
    List<Component> c = new ArrayList<>(components);
    if (c.size() > 1 && c.get(c.size() - 1).protocol() == Protocol.P2P) {
      c.remove(c.size() - 1);
    }
    return new Multiaddr(c);
  }

  /** The IP and TCP port of an {@code /ip4|ip6|dns*}{@code /tcp} address. */
  public InetSocketAddress tcpAddress() {
    if (components.size() < 2 || components.get(1).protocol() != Protocol.TCP) {
      throw new IllegalArgumentException("not a TCP multiaddr: " + this);
    }
    Component host = components.get(0);
    int port = Integer.parseInt(components.get(1).value());
    return switch (host.protocol()) {
      case IP4, IP6 -> new InetSocketAddress(ipLiteral(host.value()), port);
      case DNS, DNS4, DNS6 -> new InetSocketAddress(host.value(), port);
      default -> throw new IllegalArgumentException("not a TCP multiaddr: " + this);
    };
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append('/').append(c.protocol().text);
      if (c.protocol().size != 0) {
        sb.append('/').append(c.value());
      }
    }
    return sb.toString();
  }

  private static Component component(Protocol p, String value) {
    // Round-trip through bytes so that only valid values are accepted and text is canonical.
    return new Component(p, valueToString(p, valueToBytes(p, value)));
  }

  private static byte[] valueToBytes(Protocol p, String value) {
    return switch (p) {
      case IP4, IP6 -> {
        byte[] a = ipLiteral(value).getAddress();
        if (a.length != p.size) {
          throw new WireException("not an /" + p.text + " address: " + value);
        }
        yield a;
      }
      case TCP, UDP -> {
        int port;
        try {
          port = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new WireException("invalid port '" + value + "'");
        }
        if (port < 0 || port > 65535) {
          throw new WireException("port out of range: " + value);
        }
        yield new byte[] {(byte) (port >> 8), (byte) port};
      }
      case P2P -> PeerId.fromString(value).toBytes();
      case DNS, DNS4, DNS6 -> value.getBytes(StandardCharsets.UTF_8);
      default -> new byte[0];
    };
  }

  private static String valueToString(Protocol p, byte[] raw) {
    return switch (p) {
      case IP4, IP6 -> {
        try {
          yield InetAddress.getByAddress(raw).getHostAddress();
        } catch (UnknownHostException e) {
          throw new WireException("bad ip address bytes", e);
        }
      }
      case TCP, UDP -> Integer.toString(((raw[0] & 0xFF) << 8) | (raw[1] & 0xFF));
      case P2P -> PeerId.fromBytes(raw).toString();
      case DNS, DNS4, DNS6 -> new String(raw, StandardCharsets.UTF_8);
      default -> "";
    };
  }

  private static InetAddress ipLiteral(String value) {
    // Only literals: a digit/colon check keeps InetAddress from doing a DNS lookup.
    if (value.isEmpty() || !value.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == '.' || ch == ':')) {
      throw new WireException("not an IP literal: " + value);
    }
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      throw new WireException("not an IP literal: " + value, e);
    }
  }
}
