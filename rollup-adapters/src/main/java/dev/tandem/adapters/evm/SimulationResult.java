package dev.tandem.adapters.evm;

import java.util.Optional;

/**
 * The outcome of running a transaction with {@code eth_call} at the pending state.
 *
 * @param wouldRevert true if the call reverted or the node refused to execute it
 * @param revertReason the decoded reason: the {@code Error(string)} message, {@code Panic(0x..)},
 *     or the node's error message when there is no revert data; empty if it would succeed
 * @param output the call's return data, or the raw revert data, {@code 0x}-prefixed hex
 */
public record SimulationResult(boolean wouldRevert, Optional<String> revertReason, String output) {}
