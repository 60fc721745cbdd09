package dev.tandem.adapters.generic;

import dev.tandem.core.Namespace;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives generic adapters on one thread: each wake-up (a new finalized block, or the periodic
 * tick) steps every adapter until it is idle. A failing post is logged and retried on a later
 * tick with exponential backoff, so a DA outage delays batches but never loses or reorders them.
 */
public final class AdapterRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterRunner.class);
  private static final long MAX_BACKOFF_MILLIS = 30_000;

  private final Function<Namespace, GenericAdapter> adapterFactory;
  private final Map<Namespace, Driven> adapters = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread;

  private static final class Driven {
    final GenericAdapter adapter;
    long retryAtMillis;
    long backoffMillis = 250;

    Driven(GenericAdapter adapter) {
      this.adapter = adapter;
    }
  }

  public AdapterRunner(Function<Namespace, GenericAdapter> adapterFactory, Duration tick) {
    this.adapterFactory = adapterFactory;
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "tandem-rollup-adapters");
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::runAll, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts batching {@code namespace} if it is not batched yet. */
  public void ensure(Namespace namespace) {
    if (namespace.equals(Namespace.SYSTEM)) {
      return;
    }
    if (!adapters.containsKey(namespace)) {
      adapters.computeIfAbsent(namespace, ns -> new Driven(adapterFactory.apply(ns)));
      wake();
    }
  }

  /** Asks the runner to step its adapters now (called when a block is finalized). */
  public void wake() {
    thread.execute(this::runAll);
  }

  private void runAll() {
    long now = System.currentTimeMillis();
    for (Driven driven : adapters.values()) {
      if (now < driven.retryAtMillis) {
        continue;
      }
      try {
        while (driven.adapter.step()) {
          driven.backoffMillis = 250;
        }
      } catch (Exception e) {
        driven.retryAtMillis = now + driven.backoffMillis;
        LOG.warn("namespace {}: posting a batch failed, retrying in {} ms: {}", driven.adapter.namespace(),
            driven.backoffMillis, e.toString());
        driven.backoffMillis = Math.min(MAX_BACKOFF_MILLIS, driven.backoffMillis * 2);
      }
    }
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
