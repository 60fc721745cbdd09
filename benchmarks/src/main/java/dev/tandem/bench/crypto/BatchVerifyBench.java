package dev.tandem.bench.crypto;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * Transaction signatures checked together ({@link Transaction#haveValidSignatures}) against the
 * same transactions checked one by one, per batch of {@code size}. {@code senders} is how many
 * distinct keys sign them (a batch folds the terms of one key into one). Scores are batches a
 * second: the ratio of the two methods at one size is the speed-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class BatchVerifyBench {
  @Param({"2", "4", "16", "64"})
  public int size;

  @Param({"256"})
  public int senders;

  private List<Transaction> transactions;

  @Setup
  public void setup() {
    Random random = new Random(3);
    List<KeyPair> keys = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      keys.add(KeyPair.generate(random));
    }
    transactions = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      byte[] payload = new byte[256];
      random.nextBytes(payload);
      transactions.add(Transaction.sign(1, Namespace.of(900), i, 1000, payload, keys.get(i % senders)));
    }
    for (boolean valid : Transaction.haveValidSignatures(transactions)) {
      if (!valid) {
        throw new IllegalStateException("a benchmark signature does not verify");
      }
    }
  }

  @Benchmark
  public boolean[] batch() {
    return Transaction.haveValidSignatures(transactions);
  }

  @Benchmark
  public boolean[] oneByOne() {
    boolean[] valid = new boolean[transactions.size()];
    for (int i = 0; i < valid.length; i++) {
      valid[i] = transactions.get(i).hasValidSignature();
    }
    return valid;
  }
}
