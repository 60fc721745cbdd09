package dev.tandem.bench.ordering;

import dev.tandem.core.DecodingException;
import dev.tandem.core.Transaction;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The Raft baseline's application: counts applied payloads and their bytes. With {@code verify},
 * each payload is a signed Tandem transaction whose signature every replica checks as it applies
 * it, the least a replicated sequencer that admits only signed transactions must do; a payload that
 * fails the check fails its client's request (the load generator counts it as failed).
 */
final class CountingStateMachine extends BaseStateMachine {
  private final boolean verify;
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  CountingStateMachine(boolean verify) {
    this.verify = verify;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    applied.incrementAndGet();
    bytes.addAndGet(data.size());
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    if (verify && !validTransaction(data.toByteArray())) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("bad transaction signature"));
    }
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  private static boolean validTransaction(byte[] encoded) {
    try {
      return Transaction.decode(encoded).hasValidSignature();
    } catch (DecodingException e) {
      return false;
    }
  }

  long applied() {
    return applied.get();
  }

  long appliedBytes() {
    return bytes.get();
  }
}
