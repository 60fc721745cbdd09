package dev.tandem.bft;

import dev.tandem.core.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one event produced. The shell MUST, in this order: (1) durably persist
 * {@code safetyStateToPersist} if it is non-null, (2) append {@code committed} to its log, (3) only
 * then send {@code broadcast} (to every other validator) and {@code direct} messages and arm
 * {@code timer}. Sending a vote or timeout before its safety state is on disk can break safety
 * after a crash. The one exception: when {@code proposalMayLead} is set, the shell may send the
 * {@link ConsensusMessage.Proposal} in {@code broadcast} before step (1), so that replicas start on
 * it while the leader's own vote is being persisted (see {@link ConsensusCore} on restarts).
 *
 * @param committed newly final blocks in height order, each with a QC that certifies it
 * @param safetyStateToPersist the safety state to write before this output's messages: non-null when
 *     it changed since it was last handed over and this output sends a vote, timeout or proposal (a
 *     change with nothing to send, a QC formed from others' votes, waits for the next such output)
 * @param evidence equivocations detected in this event (a leader signed two blocks for one view);
 *     the shell keeps them for slashing and tells the operator
 * @param proposalMayLead the proposal in {@code broadcast} may be sent before the safety state is
 *     persisted; a shell that ignores this stays correct, one write slower per view
 * @param proposeAgain this node may propose again at once: call {@code onTick} after this output.
 *     The core proposes at most once per event, and a validator whose own vote is a quorum (the only
 *     validator, or one holding more than 2/3 of the stake) certifies its block in the same event
 *     and leads the next view at once; a shell that ignores this waits for its next tick
 */
public record Output(List<ConsensusMessage> broadcast, List<Directed> direct, Optional<TimerRequest> timer,
    List<CertifiedBlock> committed, SafetyState safetyStateToPersist, List<Equivocation> evidence,
    boolean proposalMayLead, boolean proposeAgain) {

  /** A message for one peer. */
  public record Directed(PublicKey to, ConsensusMessage message) {}

  /** Call {@code onTimer(view, ...)} at {@code fireAtMillis}; replaces no earlier request. */
  public record TimerRequest(long view, long fireAtMillis) {}

  public Output {
    if (proposalMayLead && broadcast.stream().noneMatch(m -> m instanceof ConsensusMessage.Proposal)) {
      throw new IllegalArgumentException("proposalMayLead without a proposal");
    }
    broadcast = List.copyOf(broadcast);
    direct = List.copyOf(direct);
    Objects.requireNonNull(timer, "timer");
    committed = List.copyOf(committed);
    evidence = List.copyOf(evidence);
  }

  /** The proposal in {@code broadcast} the shell may send before persisting; empty unless {@code proposalMayLead}. */
  public Optional<ConsensusMessage.Proposal> leadingProposal() {
    if (!proposalMayLead) {
      return Optional.empty();
    }
    return broadcast.stream().filter(m -> m instanceof ConsensusMessage.Proposal)
        .map(m -> (ConsensusMessage.Proposal) m).findFirst();
  }

  public boolean isEmpty() {
    return broadcast.isEmpty() && direct.isEmpty() && timer.isEmpty() && committed.isEmpty()
        && safetyStateToPersist == null && evidence.isEmpty();
  }
}
