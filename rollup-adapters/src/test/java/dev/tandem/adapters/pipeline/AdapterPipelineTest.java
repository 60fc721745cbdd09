package dev.tandem.adapters.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.adapters.InMemoryLog;
import dev.tandem.adapters.generic.GenericBatch;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.da.local.LocalDa;
import dev.tandem.da.local.LocalDaServer;
import dev.tandem.testsupport.FreePorts;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two generic rollups, one on a local DA served over HTTP on loopback that is down at first: the
 * other keeps going, the failing one reports its error and backs off, and catches up once the DA is up.
 */
@Timeout(60)
class AdapterPipelineTest {
  private static final Namespace ON_HTTP = Namespace.of(1);
  private static final Namespace ON_LOCAL = Namespace.of(2);

  private final KeyPair key = KeyPair.generate(new Random(6));

  /** The finalized log in memory; blocks are appended while the pipeline runs. */
  private final class Log extends InMemoryLog {
    Log() {
      super(key.publicKey());
    }

    void append() {
      long height = finalizedHeight() + 1;
      appendBlock(List.of(
          Transaction.sign(1, ON_HTTP, 2 * height, 0, new byte[] {1, (byte) height}, key),
          Transaction.sign(1, ON_LOCAL, 2 * height + 1, 0, new byte[] {2, (byte) height}, key)));
    }
  }


  private static AdapterPipeline.Status status(AdapterPipeline pipeline, Namespace namespace) {
    return pipeline.status().stream().filter(s -> s.namespace().equals(namespace)).findFirst().orElseThrow();
  }

  @Test
  void aFailingDaLayerDelaysOnlyItsRollupAndRecoversWithBackoff(@TempDir Path dir) throws Exception {
    int port = FreePorts.next();
    PipelineSpec spec = PipelineSpec.parse(new ObjectMapper().readTree("""
        {"checkpointDir": "state", "pollIntervalMillis": 20,
         "daLayers": {"shared": {"type": "local-http", "url": "http://127.0.0.1:%d", "timeoutMillis": 1000},
                      "local": {"type": "local", "dir": "local-da"}},
         "rollups": [{"namespace": 1, "kind": "generic", "da": "shared"},
                     {"namespace": 2, "kind": "generic", "da": "local"}]}
        """.formatted(port)), "", dir, null);
    Log log = new Log();
    log.append();
    log.append();
    try (AdapterPipeline pipeline = AdapterPipeline.start(spec, log)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> status(pipeline, ON_LOCAL).deliveredHeight() == 2);
      await().atMost(Duration.ofSeconds(20)).until(() -> status(pipeline, ON_HTTP).consecutiveFailures() >= 2);
      AdapterPipeline.Status failing = status(pipeline, ON_HTTP);
      assertThat(failing.deliveredHeight()).isZero();
      assertThat(failing.kind()).isEqualTo("generic");
      assertThat(failing.lastError()).hasValueSatisfying(error -> assertThat(error).isNotBlank());

      Vertx vertx = Vertx.vertx();
      try (LocalDa shared = LocalDa.open(dir.resolve("shared-da"))) {
        LocalDaServer server = LocalDaServer.start(vertx, shared, "127.0.0.1", port)
            .toCompletionStage().toCompletableFuture().join();
        try {
          await().atMost(Duration.ofSeconds(30)).until(() -> status(pipeline, ON_HTTP).deliveredHeight() == 2);
          assertThat(status(pipeline, ON_HTTP).lastError()).isEmpty();
          assertThat(status(pipeline, ON_HTTP).consecutiveFailures()).isZero();

          log.append();
          pipeline.wake();
          await().atMost(Duration.ofSeconds(20)).until(() -> pipeline.status().stream()
              .allMatch(s -> s.deliveredHeight() == 3));
          List<LocalDa.BlobInfo> blobs = shared.list(ON_HTTP.id(), 0, 100);
          long covered = 0;
          for (LocalDa.BlobInfo blob : blobs) {
            GenericBatch batch = GenericBatch.decode(shared.get(blob.commitment()).orElseThrow());
            assertThat(batch.namespace()).isEqualTo(ON_HTTP);
            assertThat(batch.firstHeight()).isEqualTo(covered + 1);
            covered = batch.lastHeight();
          }
          assertThat(covered).isEqualTo(3);
        } finally {
          server.close();
        }
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().join();
      }
    }
  }
}
