package dev.tandem.bft;

import dev.tandem.core.Block;
import dev.tandem.core.Verification;

/** A deterministic check of a proposed block's transactions; a node votes only for valid blocks. */
@FunctionalInterface
public interface BlockValidator {
  Verification validate(Block block);
}
