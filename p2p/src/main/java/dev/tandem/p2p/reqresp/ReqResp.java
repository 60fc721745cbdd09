package dev.tandem.p2p.reqresp;

import dev.tandem.p2p.PeerId;
import dev.tandem.p2p.host.Connection;
import dev.tandem.p2p.host.Network;
import dev.tandem.p2p.wire.LengthPrefixedReader;
import dev.tandem.p2p.wire.WireException;
import dev.tandem.p2p.yamux.StreamHandler;
import dev.tandem.p2p.yamux.YamuxStream;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request/response over {@code /tandem/reqresp/1.0.0/<name>}: one request and one response per
 * stream. The request is a uvarint-length-prefixed message followed by the requester's FIN; the
 * response is uvarint-length-prefixed {@code status || body} (status 0 = ok, 1 = error with a UTF-8
 * reason) followed by the responder's FIN. Oversized messages reset the stream.
 */
public final class ReqResp {
  private static final Logger LOG = LoggerFactory.getLogger(ReqResp.class);
  public static final String PREFIX = "/tandem/reqresp/1.0.0/";
  private static final int OK = 0;
  private static final int ERROR = 1;

  private final Network network;
  private final int maxRequestBytes;
  private final int maxResponseBytes;

  public ReqResp(Network network, int maxRequestBytes, int maxResponseBytes) {
    this.network = network;
    this.maxRequestBytes = maxRequestBytes;
    this.maxResponseBytes = maxResponseBytes;
  }

  /** Serves {@code protocolName} (a short name such as {@code blocks}); replaces an earlier handler. */
  public void registerHandler(String protocolName, RequestHandler handler) {
    network.registerProtocol(protocolId(protocolName), (conn, stream) -> serve(conn.remotePeer(), handler));
  }

  /** Sends {@code request} to a connected {@code peer}; fails with {@link ReqRespException} or a timeout. */
  public CompletableFuture<byte[]> request(PeerId peer, String protocolName, byte[] request, Duration timeout) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    if (request.length > maxRequestBytes) {
      result.completeExceptionally(new ReqRespException("request of " + request.length + " bytes over the limit"));
      return result;
    }
    Optional<Connection> conn = network.connection(peer);
    if (conn.isEmpty()) {
      result.completeExceptionally(new ReqRespException("not connected to " + peer));
      return result;
    }
    LengthPrefixedReader reader = new LengthPrefixedReader(maxResponseBytes + 1);
    CompletableFuture<YamuxStream> opened = conn.get().openStream(List.of(protocolId(protocolName)),
        new StreamHandler() {
          @Override
          public void onData(YamuxStream s, ByteBuf data) {
            reader.onData(data, msg -> {
              if (result.isDone()) {
                throw new WireException("more than one response on a reqresp stream");
              }
              complete(result, msg);
            });
          }

          @Override
          public void onRemoteClose(YamuxStream s) {
            result.completeExceptionally(new ReqRespException("peer closed the stream without a response"));
          }

          @Override
          public void onReset(YamuxStream s) {
            result.completeExceptionally(new ReqRespException("stream reset before a response"));
          }
        });
    opened.whenComplete((s, e) -> {
      if (e != null) {
        result.completeExceptionally(new ReqRespException("cannot open " + protocolName + " to " + peer + ": " + e.getMessage()));
        return;
      }
      s.write(LengthPrefixedReader.frame(request));
      s.closeWrite();
    });
    result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
      if (e instanceof TimeoutException) {
        opened.thenAccept(YamuxStream::reset);
      }
    });
    return result;
  }

  private StreamHandler serve(PeerId from, RequestHandler handler) {
    LengthPrefixedReader reader = new LengthPrefixedReader(maxRequestBytes);
    boolean[] received = new boolean[1];
    return new StreamHandler() {
      @Override
      public void onData(YamuxStream s, ByteBuf data) {
        reader.onData(data, msg -> {
          if (received[0]) {
            throw new WireException("more than one request on a reqresp stream");
          }
          received[0] = true;
          CompletableFuture<byte[]> answer;
          try {
            answer = handler.handle(from, msg);
          } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
          }
          answer.whenComplete((body, e) -> respond(s, body, e));
        });
      }

      @Override
      public void onRemoteClose(YamuxStream s) {
        if (!received[0]) {
          LOG.debug("reqresp stream from {} closed without a request", from);
          s.reset();
        }
      }
    };
  }

  private void respond(YamuxStream s, byte[] body, Throwable error) {
    byte[] msg;
    if (error == null && body != null && body.length <= maxResponseBytes) {
      msg = new byte[body.length + 1];
      msg[0] = OK;
      System.arraycopy(body, 0, msg, 1, body.length);
    } else {
      String reason = error != null ? String.valueOf(error.getMessage())
          : body == null ? "no response" : "response over the size limit";
      byte[] r = reason.getBytes(StandardCharsets.UTF_8);
      msg = new byte[Math.min(r.length, 1024) + 1];
      msg[0] = ERROR;
      System.arraycopy(r, 0, msg, 1, msg.length - 1);
    }
    s.write(LengthPrefixedReader.frame(msg));
    s.closeWrite();
  }

  private static void complete(CompletableFuture<byte[]> result, byte[] msg) {
    if (msg.length == 0) {
      throw new WireException("empty reqresp response");
    }
    byte[] body = new byte[msg.length - 1];
    System.arraycopy(msg, 1, body, 0, body.length);
    switch (msg[0]) {
      case OK -> result.complete(body);
      case ERROR -> result.completeExceptionally(
          new ReqRespException("peer answered with an error: " + new String(body, StandardCharsets.UTF_8)));
      default -> throw new WireException("unknown reqresp status " + msg[0]);
    }
  }

  static String protocolId(String name) {
    if (name.isEmpty() || name.length() > 100 || !name.matches("[A-Za-z0-9._\\-/]+")) {
      throw new IllegalArgumentException("invalid reqresp protocol name '" + name + "'");
    }
    return PREFIX + name;
  }
}
