package dev.tandem.da.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.da.DaException;
import dev.tandem.da.DaLayer;
import dev.tandem.da.DaReceipt;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/** {@link DaLayer} over a {@link LocalDaServer}'s HTTP API; checks every fetched blob's commitment. */
public final class LocalDaHttpClient implements DaLayer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;
  private final Duration timeout;

  public LocalDaHttpClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  @Override
  public String name() {
    return LocalDa.LAYER;
  }

  @Override
  public DaReceipt post(long namespace, byte[] data, byte[] idempotencyKey) throws DaException {
    URI uri = base.resolve("/v1/blobs?namespace=" + Long.toUnsignedString(namespace)
        + "&key=" + HexFormat.of().formatHex(idempotencyKey));
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build());
    JsonNode json = parse(response);
    byte[] commitment = HexFormat.of().parseHex(json.path("commitment").asText("0x").substring(2));
    if (!MessageDigest.isEqual(commitment, LocalDa.commitment(data))) {
      throw new DaException("local DA at " + base + " answered a commitment that does not match the data", false);
    }
    return new DaReceipt(LocalDa.LAYER, commitment, json.path("sequence").asLong());
  }

  @Override
  public byte[] fetch(DaReceipt receipt) throws DaException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve("/v1/blobs/" + receipt.commitmentHex()))
        .timeout(timeout).GET().build());
    if (response.statusCode() != 200) {
      parse(response); // throws with the server's reason
    }
    if (!MessageDigest.isEqual(receipt.commitment(), LocalDa.commitment(response.body()))) {
      throw new DaException("blob from " + base + " does not match its commitment", false);
    }
    return response.body();
  }

  private HttpResponse<byte[]> send(HttpRequest request) throws DaException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new DaException("local DA at " + base + " unreachable: " + e.getMessage(), true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DaException("interrupted talking to the local DA", true, e);
    }
  }

  private JsonNode parse(HttpResponse<byte[]> response) throws DaException {
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new DaException("local DA answered HTTP " + response.statusCode() + " with a body that is not JSON", true);
    }
    if (response.statusCode() != 200) {
      throw new DaException("local DA refused: " + json.path("error").asText("HTTP " + response.statusCode()),
          response.statusCode() >= 500);
    }
    return json;
  }

  @Override
  public void close() {
    // java.net.http.HttpClient holds no resources that need closing on Java 17
  }
}
