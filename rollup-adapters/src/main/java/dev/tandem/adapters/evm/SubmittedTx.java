package dev.tandem.adapters.evm;

/**
 * One transaction handed to the node.
 *
 * @param hash the transaction hash, {@code 0x}-prefixed lower-case hex
 * @param alreadyKnown true if the node already had it (pending or executed), so it was not sent again
 */
public record SubmittedTx(String hash, boolean alreadyKnown) {}
