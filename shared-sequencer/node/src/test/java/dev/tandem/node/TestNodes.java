package dev.tandem.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test helpers: a fast node config on a free loopback port, and a WebSocket client that queues messages. */
final class TestNodes {
  static final long CHAIN = 31337;
  static final ObjectMapper JSON = new ObjectMapper();

  private TestNodes() {}

  /** Port 0, 50 ms blocks, fee 1 per byte, admin on. */
  static NodeConfig config(Path dataDir) {
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", CHAIN);
    tree.put("dataDir", dataDir.toString());
    tree.put("rpcPort", 0);
    tree.put("blockIntervalMillis", 50);
    tree.put("minFeePerByte", 1);
    tree.put("lmdbMapSizeBytes", 256L << 20);
    tree.put("adminEnabled", true);
    return NodeConfig.fromTree(tree, dataDir);
  }

  /** A WebSocket whose whole text messages land in {@link #messages}. */
  static final class WsClient implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;

    WsClient(String url) throws Exception {
      socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), this)
          .get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    void send(String text) throws Exception {
      socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    }

    /** The next message, failing the test after 20 s. */
    com.fasterxml.jackson.databind.JsonNode next() throws Exception {
      String text = messages.poll(20, TimeUnit.SECONDS);
      if (text == null) {
        throw new AssertionError("no WebSocket message within 20 s");
      }
      return JSON.readTree(text);
    }

    @Override
    public void close() {
      socket.abort();
    }
  }
}
