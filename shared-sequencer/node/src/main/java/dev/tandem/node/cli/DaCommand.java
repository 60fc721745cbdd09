package dev.tandem.node.cli;

import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hex;
import dev.tandem.core.Namespace;
import dev.tandem.da.DaReceipt;
import dev.tandem.da.local.LocalDa;
import dev.tandem.da.local.LocalDaHttpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "da", description = "Read batches from the local DA layer.", subcommands = {DaCommand.Serve.class, DaCommand.Get.class, DaCommand.ListBlobs.class})
final class DaCommand {

  @Command(name = "serve", description = "Run the local DA layer as an HTTP service (shared by a devnet's processes).")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "LMDB directory for the blobs.")
    Path dataDir;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "7070", description = "Port, 0 for any (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
      LocalDa da = LocalDa.open(dataDir);
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      dev.tandem.da.local.LocalDaServer server = dev.tandem.da.local.LocalDaServer.start(vertx, da, host, port)
          .toCompletionStage().toCompletableFuture().join();
      System.out.println("tandem local DA serving at http://" + host + ":" + server.port());
      NodeCommand.awaitShutdown(server, () -> vertx.close().toCompletionStage().toCompletableFuture().join(), da);
      return 0;
    }
  }

  @Command(name = "get", description = "Fetch a blob by commitment, check it, and print it (a generic batch as JSON).")
  static final class Get implements Callable<Integer> {
    @Option(names = "--da", defaultValue = "http://127.0.0.1:7070", description = "Local DA URL (default: ${DEFAULT-VALUE}).")
    String da;

    @Parameters(index = "0", description = "Commitment (0x-hex, 32 bytes).")
    String commitment;

    @Option(names = "--out", description = "Write the raw blob to this file instead.")
    Path out;

    @Override
    public Integer call() throws Exception {
      LocalDaHttpClient client = new LocalDaHttpClient(URI.create(da), Duration.ofSeconds(10));
      byte[] blob = client.fetch(new DaReceipt(LocalDa.LAYER, Hex.decode(commitment, 32), -1));
      if (out != null) {
        Files.write(out, blob);
        System.out.println("{\"bytes\":" + blob.length + ",\"file\":\"" + out.toAbsolutePath() + "\"}");
        return 0;
      }
      try {
        GenericBatch batch = GenericBatch.decode(blob);
        var check = batch.verify();
        StringBuilder json = new StringBuilder();
        json.append("{\n  \"format\": \"tandem-generic-batch/v1\",\n  \"namespace\": \"").append(batch.namespace().toHex())
            .append("\",\n  \"firstHeight\": ").append(batch.firstHeight())
            .append(",\n  \"lastHeight\": ").append(batch.lastHeight())
            .append(",\n  \"transactions\": ").append(batch.transactionCount())
            .append(",\n  \"verified\": ").append(check.valid())
            .append(",\n  \"verification\": \"").append(check.reason().replace("\"", "'")).append("\",\n  \"txs\": [");
        String separator = "";
        for (GenericBatch.Entry entry : batch.entries()) {
          for (var tx : entry.transactions()) {
            json.append(separator).append("\n    {\"height\": ").append(entry.header().height())
                .append(", \"hash\": \"").append(tx.id().toHex()).append("\", \"payload\": \"")
                .append(Hex.encode(tx.payload())).append("\"}");
            separator = ",";
          }
        }
        json.append("\n  ]\n}");
        System.out.println(json);
      } catch (DecodingException notABatch) {
        System.out.println("{\"bytes\":" + blob.length + ",\"data\":\"" + Hex.encode(blob) + "\"}");
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List a namespace's blobs in the local DA.")
  static final class ListBlobs implements Callable<Integer> {
    @Option(names = "--da", defaultValue = "http://127.0.0.1:7070", description = "Local DA URL (default: ${DEFAULT-VALUE}).")
    String da;

    @Option(names = "--namespace", required = true, description = "Namespace: decimal or 0x-hex.")
    String namespace;

    @Override
    public Integer call() throws Exception {
      long ns = Namespace.parse(namespace).id();
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(da).resolve("/v1/namespaces/" + Long.toUnsignedString(ns) + "/blobs"))
              .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      System.out.println(response.body());
      return response.statusCode() == 200 ? 0 : 1;
    }
  }
}
