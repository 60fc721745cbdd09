package dev.tandem.adapters.generic;

import dev.tandem.core.Namespace;
import java.util.Optional;

/**
 * An adapter's durable progress for one namespace. Every method that writes commits before it
 * returns. The pending range is written before a batch is posted, so that a restart re-posts the
 * very same range (same batch key) instead of skipping it or posting an overlapping one.
 */
public interface CheckpointStore extends AutoCloseable {
  /** Progress of one namespace: the next height to batch and the batch in flight, if any. */
  record Progress(long nextHeight, Optional<Range> pending) {}

  record Range(long firstHeight, long lastHeight) {}

  Progress progress(Namespace namespace);

  /** Every namespace with recorded progress, so a restarted node resumes the adapters it ran. */
  java.util.List<Namespace> namespaces();

  void markPending(Namespace namespace, Range range);

  /** Records the batch as posted, with its receipt, and advances nextHeight past it, atomically. */
  void markPosted(Namespace namespace, Range range, byte[] receipt);

  Optional<byte[]> receipt(Namespace namespace, long firstHeight);

  @Override
  void close();
}
