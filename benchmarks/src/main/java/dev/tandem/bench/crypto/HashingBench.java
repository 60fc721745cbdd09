package dev.tandem.bench.crypto;

import dev.tandem.core.Hash;
import dev.tandem.core.Hashing;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-256 of a transaction-sized input: Tandem's {@link Hashing} (every transaction id, namespace
 * tree node and block hash) against Bouncy Castle's pure-Java digest and the JDK's, which HotSpot
 * compiles to the CPU's SHA instructions where there are any.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class HashingBench {
  @Param({"64", "330"})
  public int bytes;

  private byte[] data;

  @Setup
  public void setup() {
    data = new byte[bytes];
    new Random(2).nextBytes(data);
  }

  @Benchmark
  public Hash tandemHashing() {
    return Hashing.hash(Hashing.Domain.TX_SIGNING, data);
  }

  @Benchmark
  public byte[] bouncyCastleSha256() {
    SHA256Digest digest = new SHA256Digest();
    digest.update(data, 0, data.length);
    byte[] out = new byte[32];
    digest.doFinal(out, 0);
    return out;
  }

  @Benchmark
  public byte[] jdkSha256() throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}
