package dev.tandem.node.mempool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Hash;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
  private static Hash id(int n) {
    byte[] bytes = new byte[32];
    bytes[0] = (byte) n;
    return Hash.of(bytes);
  }

  @Test
  void entriesExpireAfterTheRetention() {
    AtomicLong now = new AtomicLong(1_000);
    RejectionLog log = new RejectionLog(Duration.ofSeconds(10), 100, now::get);
    log.record(id(1), RejectReason.FEE_TOO_LOW, "fee too low");
    assertThat(log.get(id(1))).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(RejectReason.FEE_TOO_LOW));
    now.addAndGet(9_999);
    assertThat(log.get(id(1))).isPresent();
    now.addAndGet(1);
    assertThat(log.get(id(1))).isEmpty();
  }

  @Test
  void oldestGoFirstWhenFull() {
    RejectionLog log = new RejectionLog(Duration.ofMinutes(1), 3, () -> 5);
    for (int i = 0; i < 5; i++) {
      log.record(id(i), RejectReason.MEMPOOL_FULL, "full");
    }
    assertThat(log.size()).isEqualTo(3);
    assertThat(log.get(id(0))).isEmpty();
    assertThat(log.get(id(4))).isPresent();
    log.forget(id(4));
    assertThat(log.get(id(4))).isEmpty();
  }
}
