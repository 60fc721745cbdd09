package dev.tandem.bench.ordering;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/** The Raft baseline's application: counts applied payloads and their bytes, nothing else. */
final class CountingStateMachine extends BaseStateMachine {
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    ByteString data = entry.getStateMachineLogEntry().getLogData();
    applied.incrementAndGet();
    bytes.addAndGet(data.size());
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(Message.EMPTY);
  }

  long applied() {
    return applied.get();
  }

  long appliedBytes() {
    return bytes.get();
  }
}
