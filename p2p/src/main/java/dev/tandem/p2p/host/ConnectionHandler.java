package dev.tandem.p2p.host;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.p2p.Identity;
import dev.tandem.p2p.Multiaddr;
import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.noise.CipherState;
import dev.tandem.p2p.noise.NoiseXX;
import dev.tandem.p2p.proto.NoiseProto.NoiseHandshakePayload;
import dev.tandem.p2p.wire.Multistream;
import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.YamuxSession;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades one TCP connection: multistream-select {@code /noise}, the Noise XX handshake with
 * libp2p identity payloads, multistream-select {@code /yamux/1.0.0} inside the encrypted channel,
 * then yamux. Any protocol violation closes this connection with a logged reason.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionHandler.class);
  static final String NOISE = "/noise";
  static final String YAMUX = "/yamux/1.0.0";
  private static final byte[] STATIC_KEY_PREFIX = "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_NOISE_FRAME = 65535;
  private static final int MAX_PLAINTEXT = MAX_NOISE_FRAME - CipherState.TAG_LENGTH;

  private enum Phase { SECURITY_SELECT, NOISE_HANDSHAKE, MUXER_SELECT, MUXED, CLOSED }

  private final Network network;
  private final boolean initiator;
  private final PeerId expectedPeer;
  private final CompletableFuture<Connection> ready;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.SECURITY_SELECT;
  private final ByteBuf rawIn = Unpooled.buffer();
  private final ByteBuf plainIn = Unpooled.buffer();
  private final ByteBuf plainOut = Unpooled.buffer();
  private Multistream multistream;
  private NoiseXX noise;
  private int noiseStep;
  private CipherState sendCipher;
  private CipherState receiveCipher;
  private PeerId remotePeer;
  private Connection connection;
  private YamuxSession session;
  private ScheduledFuture<?> handshakeTimer;

  ConnectionHandler(Network network, boolean initiator, PeerId expectedPeer, CompletableFuture<Connection> ready) {
    this.network = network;
    this.initiator = initiator;
    this.expectedPeer = expectedPeer;
    this.ready = ready;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    long timeout = network.limits().handshakeTimeout().toMillis();
    handshakeTimer = ctx.executor().schedule(() -> fail("handshake timed out"), timeout, TimeUnit.MILLISECONDS);
    if (initiator) {
      multistream = Multistream.dialer(List.of(NOISE), b -> ctx.writeAndFlush(b));
    } else {
      multistream = Multistream.listener(NOISE::equals, b -> ctx.writeAndFlush(b));
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (phase == Phase.CLOSED) {
        return;
      }
      rawIn.writeBytes(in);
    } finally {
      in.release();
    }
    try {
      process();
    } catch (WireException e) {
      fail(e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("connection {}: unexpected failure", describe(), e);
      fail("internal error: " + e);
    }
    rawIn.discardSomeReadBytes();
    plainIn.discardSomeReadBytes();
  }

  private void process() {
    if (phase == Phase.SECURITY_SELECT) {
      if (multistream.onData(rawIn) == null) {
        return;
      }
      phase = Phase.NOISE_HANDSHAKE;
      noise = new NoiseXX(initiator, network.noiseStaticKey());
      if (initiator) {
        writeHandshake(noise.writeMessageA(new byte[0]));
      }
    }
    if (phase == Phase.NOISE_HANDSHAKE) {
      byte[] frame;
      while (phase == Phase.NOISE_HANDSHAKE && (frame = readFrame()) != null) {
        handshakeStep(frame);
      }
      if (phase == Phase.NOISE_HANDSHAKE) {
        return;
      }
    }
    byte[] frame;
    while (phase != Phase.CLOSED && (frame = readFrame()) != null) {
      plainIn.writeBytes(receiveCipher.decrypt(new byte[0], frame, 0, frame.length));
    }
    if (phase == Phase.MUXER_SELECT) {
      if (multistream.onData(plainIn) == null) {
        return;
      }
      startMuxer();
    }
    if (phase == Phase.MUXED) {
      session.onData(plainIn);
    }
  }

  private void handshakeStep(byte[] frame) {
    if (initiator) {
      byte[] payload = noise.readMessageB(frame);
      remotePeer = verifyPayload(payload);
      writeHandshake(noise.writeMessageC(localPayload()));
      finishHandshake();
    } else if (noiseStep == 0) {
      noise.readMessageA(frame);
      writeHandshake(noise.writeMessageB(localPayload()));
      noiseStep = 1;
    } else {
      remotePeer = verifyPayload(noise.readMessageC(frame));
      finishHandshake();
    }
  }

  private void finishHandshake() {
    NoiseXX.Split split = noise.split();
    sendCipher = split.send();
    receiveCipher = split.receive();
    noise = null;
    phase = Phase.MUXER_SELECT;
    if (initiator) {
      multistream = Multistream.dialer(List.of(YAMUX), this::sendPlainAndFlush);
    } else {
      multistream = Multistream.listener(YAMUX::equals, this::sendPlainAndFlush);
    }
  }

  private void startMuxer() {
    phase = Phase.MUXED;
    handshakeTimer.cancel(false);
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    connection = new Connection(ctx.channel(), remotePeer, Multiaddr.tcp(remote, remotePeer), initiator, network);
    Limits limits = network.limits();
    session = new YamuxSession(initiator, new Transport(), limits.maxInboundStreamsPerConnection(),
        limits.maxPendingWriteBytes(), connection::onInboundStream, "conn " + remotePeer);
    connection.attach(session);
    if (!network.onConnectionReady(connection)) {
      fail("connection refused by host");
      return;
    }
    ready.complete(connection);
  }

  private byte[] localPayload() {
    Identity id = network.identity();
    byte[] staticKey = noise.staticPublicKey();
    byte[] toSign = new byte[STATIC_KEY_PREFIX.length + staticKey.length];
    System.arraycopy(STATIC_KEY_PREFIX, 0, toSign, 0, STATIC_KEY_PREFIX.length);
    System.arraycopy(staticKey, 0, toSign, STATIC_KEY_PREFIX.length, staticKey.length);
    return NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(id.publicKeyProto()))
        .setIdentitySig(ByteString.copyFrom(id.sign(toSign)))
        .build()
        .toByteArray();
  }

  private PeerId verifyPayload(byte[] payload) {
    NoiseHandshakePayload p;
    try {
      p = NoiseHandshakePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new WireException("malformed noise handshake payload", e);
    }
    byte[] keyProto = p.getIdentityKey().toByteArray();
    byte[] key = Identity.ed25519FromProto(keyProto);
    byte[] remoteStatic = noise.remoteStaticKey();
    byte[] signed = new byte[STATIC_KEY_PREFIX.length + remoteStatic.length];
    System.arraycopy(STATIC_KEY_PREFIX, 0, signed, 0, STATIC_KEY_PREFIX.length);
    System.arraycopy(remoteStatic, 0, signed, STATIC_KEY_PREFIX.length, remoteStatic.length);
    if (!Identity.verify(key, signed, p.getIdentitySig().toByteArray())) {
      throw new WireException("noise handshake: identity signature does not verify");
    }
    PeerId peer = PeerId.fromPublicKeyProto(keyProto);
    if (expectedPeer != null && !expectedPeer.equals(peer)) {
      throw new WireException("dialed " + expectedPeer + " but the peer is " + peer);
    }
    if (peer.equals(network.identity().peerId())) {
      throw new WireException("connected to ourselves");
    }
    return peer;
  }

  /** Reads one 2-byte big-endian length-prefixed noise frame, or null if incomplete. */
  private byte[] readFrame() {
    if (rawIn.readableBytes() < 2) {
      return null;
    }
    int len = rawIn.getUnsignedShort(rawIn.readerIndex());
    if (rawIn.readableBytes() < 2 + len) {
      return null;
    }
    rawIn.skipBytes(2);
    byte[] frame = new byte[len];
    rawIn.readBytes(frame);
    return frame;
  }

  private void writeHandshake(byte[] message) {
    if (message.length > MAX_NOISE_FRAME) {
      throw new IllegalStateException("noise handshake message too large");
    }
    ByteBuf out = Unpooled.buffer(2 + message.length);
    out.writeShort(message.length).writeBytes(message);
    ctx.writeAndFlush(out);
  }

  private void sendPlainAndFlush(ByteBuf plain) {
    sendPlain(plain);
    flushPlain();
  }

  private void sendPlain(ByteBuf plain) {
    plainOut.writeBytes(plain);
    plain.release();
  }

  /** Encrypts what is queued into frames of at most 65535 bytes and flushes them. */
  private void flushPlain() {
    if (!plainOut.isReadable() || phase == Phase.CLOSED) {
      plainOut.clear();
      return;
    }
    int frames = (plainOut.readableBytes() + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT;
    ByteBuf out = ctx.alloc().buffer(plainOut.readableBytes() + frames * (2 + CipherState.TAG_LENGTH));
    byte[] chunk = new byte[Math.min(MAX_PLAINTEXT, plainOut.readableBytes())];
    while (plainOut.isReadable()) {
      int n = Math.min(MAX_PLAINTEXT, plainOut.readableBytes());
      plainOut.readBytes(chunk, 0, n);
      byte[] ct = sendCipher.encrypt(new byte[0], chunk, 0, n);
      out.writeShort(ct.length).writeBytes(ct);
    }
    plainOut.clear();
    ctx.writeAndFlush(out);
  }

  private void fail(String reason) {
    if (phase == Phase.CLOSED) {
      return;
    }
    LOG.info("closing connection {}: {}", describe(), reason);
    if (session != null) {
      session.close(false);
    }
    phase = Phase.CLOSED;
    ready.completeExceptionally(new WireException(reason));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
    }
    phase = Phase.CLOSED;
    if (!ready.isDone()) {
      ready.completeExceptionally(new WireException("connection closed during the handshake"));
    }
    if (connection != null) {
      connection.onChannelClosed();
      network.onConnectionClosed(connection);
    }
    rawIn.release();
    plainIn.release();
    plainOut.release();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail("I/O error: " + cause.getMessage());
  }

  private String describe() {
    String addr = ctx == null ? "?" : String.valueOf(ctx.channel().remoteAddress());
    return addr + (remotePeer == null ? "" : " (" + remotePeer + ")");
  }

  /** Yamux frames go through the noise cipher; writes are batched until flush. */
  private final class Transport implements YamuxSession.Transport {
    @Override
    public void write(ByteBuf bytes) {
      if (phase == Phase.CLOSED) {
        bytes.release();
        return;
      }
      sendPlain(bytes);
    }

    @Override
    public void flush() {
      flushPlain();
    }

    @Override
    public Executor eventLoop() {
      return ctx.executor();
    }

    @Override
    public boolean inEventLoop() {
      return ctx.executor().inEventLoop();
    }

    @Override
    public void close(String reason) {
      fail(reason);
    }
  }
}
