package dev.tandem.node.ordering;

/**
 * A consensus node's state as operators watch it (the {@code tandem_consensus_*} metrics).
 *
 * @param view the view this node is in
 * @param highQcView the view of the highest QC it holds; falling behind {@code view} means views
 *     pass without blocks being certified
 * @param viewTimeouts how many times a view's timer fired here without progress (a view that stays
 *     stuck fires again)
 * @param equivocations how many pieces of equivocation evidence this node recorded
 * @param retainedMessages votes, timeouts and proposals the consensus core keeps (bounded)
 * @param connectedValidators other validators this node has a live connection to
 * @param otherValidators how many other validators there are
 */
public record ConsensusStatus(long view, long highQcView, long viewTimeouts, long equivocations,
    int retainedMessages, int connectedValidators, int otherValidators) {}
