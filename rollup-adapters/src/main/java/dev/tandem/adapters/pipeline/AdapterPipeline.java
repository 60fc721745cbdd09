package dev.tandem.adapters.pipeline;

import dev.tandem.adapters.evm.EvmDeliveryAdapter;
import dev.tandem.adapters.evm.EvmDirectDelivery;
import dev.tandem.adapters.evm.EvmLegSimulator;
import dev.tandem.adapters.generic.CheckpointStore;
import dev.tandem.adapters.generic.FinalizedBlockSource;
import dev.tandem.adapters.generic.GenericAdapter;
import dev.tandem.adapters.generic.LmdbCheckpointStore;
import dev.tandem.adapters.opstack.ChannelCodec;
import dev.tandem.adapters.opstack.OpStackAdapter;
import dev.tandem.adapters.opstack.OpStackBatcher;
import dev.tandem.adapters.opstack.OpStackCheckpoint;
import dev.tandem.core.Namespace;
import dev.tandem.da.DaLayer;
import dev.tandem.da.eth.BlobPacking;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rollup adapters a {@link PipelineSpec} describes over one finalized block source: opens
 * the DA clients and checkpoints, builds one adapter per rollup, and drives them all on one
 * thread. Each wake-up ({@link #wake()} on a new block, or the poll tick) steps the adapters in
 * turn, one step each per round, until none advances. An adapter that fails is retried after an
 * exponential backoff (0.25 s doubling to 30 s) while the others go on; every failure is logged
 * with the namespace, the adapter and what to look at, and shows in {@link #status()}.
 *
 * <p>Checkpoints live under {@code checkpointDir}: {@code generic/} and {@code evm/} (LMDB, one
 * environment each, since both key progress by namespace), {@code opstack/<namespace>} (one file
 * each), and {@code da/<layer>/} for the DA layers' send journals.
 */
public final class AdapterPipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterPipeline.class);
  private static final long FIRST_BACKOFF_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 30_000;
  /** op-batcher's calldata transaction size. */
  private static final int CALLDATA_FRAME_BYTES = 120_000;

  /**
   * One rollup's state as operators see it.
   *
   * @param deliveredHeight the last Tandem height whose transactions are posted or delivered
   * @param lastError the last failure, until the adapter advances again
   * @param consecutiveFailures failures since it last advanced
   */
  public record Status(Namespace namespace, String kind, long deliveredHeight, Optional<String> lastError,
      int consecutiveFailures) {}

  /** One adapter as the pipeline drives it. */
  private interface Step {
    boolean step() throws Exception;

    long deliveredHeight();
  }

  private static final class Driven {
    final RollupSpec spec;
    final String label;
    final Step adapter;
    volatile long deliveredHeight;
    volatile String lastError;
    volatile int failures;
    long retryAtMillis;
    long backoffMillis = FIRST_BACKOFF_MILLIS;

    Driven(RollupSpec spec, String label, Step adapter) {
      this.spec = spec;
      this.label = label;
      this.adapter = adapter;
      this.deliveredHeight = adapter.deliveredHeight();
    }
  }

  private final List<Driven> adapters;
  private final List<AutoCloseable> resources;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean wakePending = new AtomicBoolean();
  private volatile boolean closed;

  private AdapterPipeline(List<Driven> adapters, List<AutoCloseable> resources, long pollMillis) {
    this.adapters = List.copyOf(adapters);
    this.resources = resources;
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "tandem-adapter-pipeline");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::runAll, 0, pollMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens everything {@code spec} names and starts driving the adapters over {@code source}.
   *
   * @throws SpecException if a DA layer's key file cannot be read; other failures to open (a locked
   *     LMDB directory) as they come, after closing what was opened
   */
  public static AdapterPipeline start(PipelineSpec spec, FinalizedBlockSource source) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      Path dir = spec.checkpointDir();
      Map<String, DaLayer> layers = new LinkedHashMap<>();
      LmdbCheckpointStore generic = null;
      LmdbCheckpointStore evm = null;
      List<Driven> driven = new ArrayList<>();
      for (RollupSpec rollup : spec.rollups()) {
        if (rollup instanceof RollupSpec.Generic g) {
          if (generic == null) {
            generic = open(resources, LmdbCheckpointStore.open(dir.resolve("generic")));
          }
          DaLayer da = layer(spec, g.da(), layers, resources);
          GenericAdapter adapter = new GenericAdapter(g.namespace(), source,
              (key, ns, batch) -> da.post(ns.id(), batch, key.toBytes()).encode(), generic,
              new GenericAdapter.Limits(g.maxBlocks(), g.maxBytes()));
          CheckpointStore progress = generic;
          driven.add(new Driven(rollup, "generic -> " + g.da(), new Step() {
            @Override
            public boolean step() throws Exception {
              return adapter.step();
            }

            @Override
            public long deliveredHeight() {
              return progress.progress(g.namespace()).nextHeight() - 1;
            }
          }));
        } else if (rollup instanceof RollupSpec.OpStack o) {
          // OP Stack blobs are already version-0 encoded; the layer must post them as they are.
          DaLayer da = o.blobs() ? rawBlobLayer(spec, o.da(), layers, resources) : layer(spec, o.da(), layers, resources);
          int frameBytes = o.blobs() ? BlobPacking.USABLE_PER_BLOB - 4 : CALLDATA_FRAME_BYTES;
          OpStackBatcher batcher = new OpStackBatcher(new OpStackBatcher.Config(o.compression(),
              ChannelCodec.MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, frameBytes, 1_000, 1_000_000));
          OpStackAdapter adapter = new OpStackAdapter(o.namespace(), source, batcher, o.engine().open(), da,
              new OpStackCheckpoint(dir.resolve("opstack").resolve(o.namespace().toHex()), o.firstL2Block()),
              o.maxBlocksPerChannel(), o.blobs());
          driven.add(new Driven(rollup, "opstack -> " + o.da(), new Step() {
            @Override
            public boolean step() throws Exception {
              return adapter.step();
            }

            @Override
            public long deliveredHeight() {
              return adapter.deliveredHeight();
            }
          }));
        } else if (rollup instanceof RollupSpec.Evm e) {
          if (evm == null) {
            evm = open(resources, LmdbCheckpointStore.open(dir.resolve("evm")));
          }
          EvmDirectDelivery delivery = open(resources,
              new EvmDirectDelivery(e.rpcUrl().toString(), EvmDirectDelivery.Config.defaults()));
          EvmDeliveryAdapter adapter = new EvmDeliveryAdapter(e.namespace(), e.chainId(), source, delivery, evm);
          driven.add(new Driven(rollup, "evm -> " + e.rpcUrl(), new Step() {
            @Override
            public boolean step() {
              return adapter.step();
            }

            @Override
            public long deliveredHeight() {
              return adapter.deliveredHeight();
            }
          }));
        }
      }
      for (Driven d : driven) {
        LOG.info("rollup adapter for namespace {} ({}) resumes after height {}", d.spec.namespace(), d.label,
            d.deliveredHeight);
      }
      return new AdapterPipeline(driven, resources, spec.pollInterval().toMillis());
    } catch (RuntimeException e) {
      closeAll(resources);
      throw e;
    }
  }

  /**
   * The execution pre-checks for atomic bundles: one {@link EvmLegSimulator} per {@code evm} rollup
   * with {@code simulate: true}. The caller closes them.
   */
  public static Map<Namespace, EvmLegSimulator> legSimulators(PipelineSpec spec) {
    Map<Namespace, EvmLegSimulator> simulators = new LinkedHashMap<>();
    for (RollupSpec rollup : spec.rollups()) {
      if (rollup instanceof RollupSpec.Evm e && e.simulate()) {
        simulators.put(e.namespace(), new EvmLegSimulator(e.rpcUrl().toString(), e.chainId()));
      }
    }
    return simulators;
  }

  private static DaLayer layer(PipelineSpec spec, String name, Map<String, DaLayer> open,
      List<AutoCloseable> resources) {
    DaLayer layer = open.get(name);
    if (layer == null) {
      layer = open(resources, spec.daLayers().get(name).open(spec.checkpointDir().resolve("da").resolve(name)));
      open.put(name, layer);
    }
    return layer;
  }

  /** The Ethereum blob layer {@code name} in RAW_BLOBS mode, with a send journal of its own. */
  private static DaLayer rawBlobLayer(PipelineSpec spec, String name, Map<String, DaLayer> open,
      List<AutoCloseable> resources) {
    String rawName = name + "-raw";
    DaLayer layer = open.get(rawName);
    if (layer == null) {
      DaLayerSpec.Ethereum eth = (DaLayerSpec.Ethereum) spec.daLayers().get(name);
      layer = open(resources, eth.withMode(dev.tandem.da.eth.EthereumDa.Mode.RAW_BLOBS)
          .open(spec.checkpointDir().resolve("da").resolve(rawName)));
      open.put(rawName, layer);
    }
    return layer;
  }

  private static <T extends AutoCloseable> T open(List<AutoCloseable> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  /** Asks the pipeline to step its adapters now (on a new finalized block); cheap and non-blocking. */
  public void wake() {
    if (!closed && wakePending.compareAndSet(false, true)) {
      try {
        thread.execute(this::runAll);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** Every rollup's delivered height and last error, in config order. */
  public List<Status> status() {
    return adapters.stream().map(d -> new Status(d.spec.namespace(), d.spec.kind(), d.deliveredHeight,
        Optional.ofNullable(d.lastError), d.failures)).toList();
  }

  private void runAll() {
    wakePending.set(false);
    boolean advanced = true;
    while (advanced && !closed) {
      advanced = false;
      long now = System.currentTimeMillis();
      for (Driven d : adapters) {
        if (closed || now < d.retryAtMillis) {
          continue;
        }
        try {
          boolean stepped = d.adapter.step();
          d.deliveredHeight = d.adapter.deliveredHeight();
          if (stepped) {
            advanced = true;
            if (d.failures > 0) {
              LOG.info("namespace {} ({}): recovered after {} failed attempt(s), now at height {}", d.spec.namespace(),
                  d.label, d.failures, d.deliveredHeight);
            }
            d.failures = 0;
            d.lastError = null;
            d.backoffMillis = FIRST_BACKOFF_MILLIS;
          }
        } catch (Exception e) {
          d.failures++;
          d.lastError = describe(e);
          d.retryAtMillis = now + d.backoffMillis;
          LOG.warn("namespace {} ({}): step after height {} failed (attempt {}), retrying in {} ms: {}",
              d.spec.namespace(), d.label, d.deliveredHeight, d.failures, d.backoffMillis, d.lastError);
          if (d.failures == 1) {
            LOG.debug("namespace {}: failure detail", d.spec.namespace(), e);
          }
          d.backoffMillis = Math.min(MAX_BACKOFF_MILLIS, d.backoffMillis * 2);
        }
      }
    }
  }

  /** The exception's message and those of its causes that add something (a bare ConnectException has none). */
  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
    Throwable cause = e.getCause();
    for (int i = 0; cause != null && i < 3; i++, cause = cause.getCause()) {
      String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (out.indexOf(text) < 0) {
        out.append(": ").append(text);
      }
    }
    return out.toString();
  }

  /** Stops the thread (waiting for a step in progress), then closes the DA clients and checkpoints. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.shutdown();
    try {
      if (!thread.awaitTermination(90, TimeUnit.SECONDS)) {
        LOG.warn("an adapter step did not finish within 90 s; closing its DA client and checkpoint under it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeAll(resources);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", resources.get(i).getClass().getSimpleName(), e);
      }
    }
  }
}
