package dev.tandem.bundles;

/**
 * The blocks a bundle may be included in: heights {@code [earliestHeight, latestHeight]} and header
 * timestamps {@code [earliestTimeMillis, latestTimeMillis]}, both inclusive, both must hold. An open
 * side is 0 (earliest) or {@link Long#MAX_VALUE} (latest); at least one latest bound must be set so
 * that every bundle eventually expires.
 */
public record BundleWindow(long earliestHeight, long latestHeight, long earliestTimeMillis, long latestTimeMillis) {
  public static final long OPEN = Long.MAX_VALUE;

  public BundleWindow {
    if (earliestHeight < 0 || latestHeight < 0 || earliestTimeMillis < 0 || latestTimeMillis < 0) {
      throw new IllegalArgumentException("window bounds must not be negative");
    }
    if (earliestHeight > latestHeight) {
      throw new IllegalArgumentException("window earliest height " + earliestHeight + " is after latest " + latestHeight);
    }
    if (earliestTimeMillis > latestTimeMillis) {
      throw new IllegalArgumentException("window earliest time " + earliestTimeMillis + " is after latest "
          + latestTimeMillis);
    }
    if (latestHeight == OPEN && latestTimeMillis == OPEN) {
      throw new IllegalArgumentException("window needs a latest height or a latest time");
    }
  }

  /** Heights {@code [earliest, latest]}, any time. */
  public static BundleWindow heights(long earliest, long latest) {
    return new BundleWindow(earliest, latest, 0, OPEN);
  }

  /** Timestamps {@code [earliest, latest]} in milliseconds, any height. */
  public static BundleWindow times(long earliestMillis, long latestMillis) {
    return new BundleWindow(0, OPEN, earliestMillis, latestMillis);
  }

  public boolean contains(long height, long timestampMillis) {
    return height >= earliestHeight && height <= latestHeight
        && timestampMillis >= earliestTimeMillis && timestampMillis <= latestTimeMillis;
  }

  /**
   * True when no block after one at {@code (height, timestampMillis)} can fall in the window
   * (heights grow by one, timestamps never decrease).
   */
  public boolean isOverAfter(long height, long timestampMillis) {
    return height >= latestHeight || timestampMillis > latestTimeMillis;
  }

  /** Why a block at {@code (height, timestampMillis)} is outside the window, or null if it is inside. */
  String violation(long height, long timestampMillis) {
    if (height < earliestHeight || height > latestHeight) {
      return "height " + height + " is outside the window [" + earliestHeight + ", " + latestHeight + "]";
    }
    if (timestampMillis < earliestTimeMillis || timestampMillis > latestTimeMillis) {
      return "timestamp " + timestampMillis + " is outside the window [" + earliestTimeMillis + ", "
          + latestTimeMillis + "]";
    }
    return null;
  }
}
