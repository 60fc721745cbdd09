package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Namespace;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class BundleCodecPropertyTest {
  @Property(tries = 100)
  void randomBundlesRoundTripExactly(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int legs,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE - 1) long latest, @ForAll @IntRange(min = 0, max = 300) int size) {
    Random random = new Random(seed);
    BundleBuilder builder = BundleBuilder.create(CHAIN, SIGNER, random).revision(random.nextInt(5))
        .manifestFee(random.nextInt(1000))
        .window(random.nextBoolean() ? BundleWindow.heights(latest / 2, latest) : BundleWindow.times(0, latest));
    for (int i = 0; i < legs; i++) {
      byte[] payload = new byte[random.nextInt(size + 1)];
      random.nextBytes(payload);
      builder.addLeg(Namespace.of(1 + random.nextInt(1000)), payload, i % 2 == 0 ? ALICE : BOB, i, random.nextInt(9));
    }
    Bundle bundle = builder.build();
    Bundle decoded = BundleCodec.decodeBundle(bundle.encode());
    assertThat(decoded).isEqualTo(bundle);
    assertThat(decoded.manifest().manifest()).isEqualTo(bundle.manifest().manifest());
    assertThat(decoded.window()).isEqualTo(bundle.window());
    assertThat(decoded.blockBytes()).isEqualTo(bundle.encode().length - 5);
  }

  @Property(tries = 200)
  void priorityComparesFeePerByteExactlyWithoutOverflow(@ForAll @LongRange(min = 0) long feeA,
      @ForAll @LongRange(min = 1, max = 1 << 26) long bytesA, @ForAll @LongRange(min = 0) long feeB,
      @ForAll @LongRange(min = 1, max = 1 << 26) long bytesB) {
    int expected = java.math.BigInteger.valueOf(feeA).multiply(java.math.BigInteger.valueOf(bytesB))
        .compareTo(java.math.BigInteger.valueOf(feeB).multiply(java.math.BigInteger.valueOf(bytesA)));
    assertThat(Integer.signum(Priority.compare(feeA, bytesA, feeB, bytesB))).isEqualTo(expected);
  }
}
