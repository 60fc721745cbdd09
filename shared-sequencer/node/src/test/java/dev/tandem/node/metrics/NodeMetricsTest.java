package dev.tandem.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.node.ordering.ConsensusStatus;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
  @Test
  void consensusMetricsOutliveGarbageCollection() {
    NodeMetrics metrics = new NodeMetrics(() -> 0, () -> 0, Set.of());
    // Capturing method references that nothing else holds, as a node's are: Micrometer holds function
    // counters' state weakly, so without the metrics keeping them they read NaN after a GC.
    AtomicLong dropped = new AtomicLong(7);
    AtomicReference<Optional<ConsensusStatus>> status =
        new AtomicReference<>(Optional.of(new ConsensusStatus(42, 41, 3, 1, 17, 2, 3)));
    AtomicLong verifications = new AtomicLong(9);
    metrics.consensusMessagesDropped(dropped::get);
    metrics.txSignatureVerifications(verifications::get);
    metrics.consensus(status::get);
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    assertThat(metrics.scrape()).contains("tandem_consensus_messages_dropped_total 7.0")
        .contains("tandem_tx_signature_verifications_total 9.0")
        .contains("tandem_consensus_view 42.0").contains("tandem_consensus_high_qc_view 41.0")
        .contains("tandem_consensus_view_timeouts_total 3.0").contains("tandem_consensus_equivocations_total 1.0")
        .contains("tandem_consensus_retained_messages 17.0").contains("tandem_consensus_connected_validators 2.0")
        .contains("tandem_consensus_other_validators 3.0");
  }
}
