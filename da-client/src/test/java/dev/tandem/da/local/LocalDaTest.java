package dev.tandem.da.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.da.DaException;
import dev.tandem.da.DaReceipt;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDaTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesIdempotentlyAndSurvivesRestart(@TempDir Path dir) throws Exception {
    DaReceipt first;
    try (LocalDa da = LocalDa.open(dir)) {
      first = da.post(900, bytes("batch one"), bytes("key-1"));
      DaReceipt again = da.post(900, bytes("batch one"), bytes("key-1"));
      assertThat(again).isEqualTo(first);
      DaReceipt second = da.post(900, bytes("batch two"), bytes("key-2"));
      da.post(7, bytes("other rollup"), bytes("key-3"));
      assertThat(second.locator()).isEqualTo(first.locator() + 1);
      assertThat(da.fetch(second)).isEqualTo(bytes("batch two"));
    }
    try (LocalDa da = LocalDa.open(dir)) {
      assertThat(da.fetch(first)).isEqualTo(bytes("batch one"));
      assertThat(da.list(900, 0, 10)).extracting(LocalDa.BlobInfo::sequence).containsExactly(0L, 1L);
      assertThat(da.list(7, 0, 10)).hasSize(1);
      assertThat(da.post(900, bytes("batch three"), bytes("key-4")).locator()).isEqualTo(3);
    }
  }

  @Test
  void rejectsOversizedBlobsAndBadKeys(@TempDir Path dir) {
    try (LocalDa da = LocalDa.open(dir, 64L << 20, 1024)) {
      assertThatThrownBy(() -> da.post(1, new byte[1025], bytes("k")))
          .isInstanceOf(DaException.class).hasMessageContaining("exceeds");
      assertThatThrownBy(() -> da.post(1, new byte[1], new byte[0])).hasMessageContaining("idempotency key");
      assertThatThrownBy(() -> da.fetch(new DaReceipt("local", new byte[32], 0))).hasMessageContaining("no blob");
    }
  }

  @Test
  void receiptsRoundTripAndRejectGarbage() {
    DaReceipt receipt = new DaReceipt("local", new byte[] {1, 2, 3}, 42);
    assertThat(DaReceipt.decode(receipt.encode())).isEqualTo(receipt);
    byte[] encoded = receipt.encode();
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = java.util.Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> DaReceipt.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void servesOverHttpAndSurvivesBadRequests(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (LocalDa da = LocalDa.open(dir, 64L << 20, 4096)) {
      LocalDaServer server = LocalDaServer.start(vertx, da, "127.0.0.1", 0).toCompletionStage().toCompletableFuture().join();
      URI base = URI.create("http://127.0.0.1:" + server.port());
      LocalDaHttpClient client = new LocalDaHttpClient(base, Duration.ofSeconds(5));
      DaReceipt receipt = client.post(900, bytes("over http"), bytes("k1"));
      assertThat(client.post(900, bytes("over http"), bytes("k1"))).isEqualTo(receipt);
      assertThat(client.fetch(receipt)).isEqualTo(bytes("over http"));

      HttpClient http = HttpClient.newHttpClient();
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/blobs?namespace=abc&key=00"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build())).isEqualTo(400);
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/blobs?namespace=1"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1])).build())).isEqualTo(400);
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/blobs?namespace=1&key=01"))
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5000])).build())).isEqualTo(413);
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/blobs/0xzz")).GET().build())).isEqualTo(400);
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/blobs/0x" + "00".repeat(32))).GET().build()))
          .isEqualTo(404);
      assertThat(status(http, HttpRequest.newBuilder(base.resolve("/v1/namespaces/900/blobs?from=-1")).GET().build()))
          .isEqualTo(400);
      HttpResponse<String> list = http.send(HttpRequest.newBuilder(base.resolve("/v1/namespaces/900/blobs")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(list.body()).contains(receipt.commitmentHex());
      // Still serving after the bad requests.
      assertThat(client.fetch(receipt)).isEqualTo(bytes("over http"));
      server.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private static int status(HttpClient http, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
