package dev.tandem.bundles;

/** Fee per encoded byte, compared exactly (128-bit cross products, no rounding). */
final class Priority {
  private Priority() {}

  /** Positive when {@code feeA / bytesA > feeB / bytesB}; fees are non-negative, byte counts positive. */
  static int compare(long feeA, long bytesA, long feeB, long bytesB) {
    long highLeft = Math.multiplyHigh(feeA, bytesB);
    long highRight = Math.multiplyHigh(feeB, bytesA);
    if (highLeft != highRight) {
      return Long.compare(highLeft, highRight);
    }
    return Long.compareUnsigned(feeA * bytesB, feeB * bytesA);
  }

  static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
