package dev.tandem.bench.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter benchmark end to end on a small chain: every transaction ends up in a posted batch
 * (the bench checks checkpoints and batch contents and throws otherwise) and every batch, posted by
 * the adapter and again by the raw baseline, reads back byte for byte from the local DA and from a
 * real anvil's blobs, and so does every pre-signed blob transaction of the transport baseline. No timing is asserted; the real run is {@code benchmarks/run.sh adapters}.
 */
class AdapterBenchSmokeTest {
  private static void assertAllPostedAndReadBack(AdapterBench.LayerRun run) {
    AdapterBench.Result adapter = run.adapter();
    AdapterBench.Result raw = run.raw();
    assertThat(adapter.batches()).isGreaterThanOrEqualTo(AdapterBench.NAMESPACES.size());
    assertThat(adapter.readBack()).isEqualTo(adapter.batches());
    assertThat(raw.batches()).isEqualTo(adapter.batches());
    assertThat(raw.readBack()).isEqualTo(raw.batches());
    assertThat(raw.batchBytes()).isEqualTo(adapter.batchBytes()).isGreaterThan(adapter.payload());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void localDaGetsEveryTransaction(@TempDir Path dir) throws Exception {
    AdapterBench.LayerRun run = AdapterBench.runLocal(dir, 256, 1 << 20);
    assertAllPostedAndReadBack(run);
    assertThat(run.adapter().transactions()).isEqualTo((1 << 20) / 256);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anvilBlobsGetEveryTransaction(@TempDir Path dir) throws Exception {
    AdapterBench.LayerRun run = AdapterBench.runAnvil(dir, 4096, 256 << 10);
    assertAllPostedAndReadBack(run);
    assertThat(run.adapter().blobs()).isGreaterThanOrEqualTo(run.adapter().batches());
    assertThat(run.send().batches()).isEqualTo(run.adapter().batches());
    assertThat(run.send().readBack()).isEqualTo(run.send().batches());
    assertThat(run.kzg().blobs()).isPositive();
  }
}
