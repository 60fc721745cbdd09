package dev.tandem.adapters.generic;

import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;

/**
 * Posts one encoded batch to a DA layer and returns the layer's receipt encoding. Must be
 * idempotent by {@code batchKey}: posting a key that was already posted returns the earlier
 * receipt instead of posting again, because after a crash the adapter re-posts its pending batch.
 * Throws on failure; the adapter retries later.
 */
public interface BatchPoster {
  byte[] post(Hash batchKey, Namespace namespace, byte[] batch) throws Exception;
}
