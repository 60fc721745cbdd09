package dev.tandem.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A map that keeps at most {@code capacity} entries: adding one more drops the eldest, by insertion
 * or, for {@link #accessOrdered}, by last access. For caches of recently seen things. Not
 * thread-safe; wrap it or guard it as a {@link LinkedHashMap} would be.
 */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
  private final int capacity;

  private BoundedMap(int capacity, boolean accessOrder) {
    super(16, 0.75f, accessOrder);
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
  }

  /** Drops the entry inserted longest ago. */
  public static <K, V> BoundedMap<K, V> insertionOrdered(int capacity) {
    return new BoundedMap<>(capacity, false);
  }

  /** Drops the entry read or written longest ago. */
  public static <K, V> BoundedMap<K, V> accessOrdered(int capacity) {
    return new BoundedMap<>(capacity, true);
  }

  @Override
  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
    return size() > capacity;
  }
}
