package dev.tandem.adapters.opstack;

/**
 * A sequencer batch as carried in an OP Stack channel: {@code batch_version ++ content}.
 * Only singular batches (version 0) are implemented; span batches (version 1) are rejected on
 * decode with a clear error.
 */
public sealed interface OpBatch permits SingularBatch {
  int SINGULAR_BATCH_TYPE = 0;
  int SPAN_BATCH_TYPE = 1;

  /** The batch version byte. */
  int batchType();

  /** The typed encoding {@code batch_version ++ content}. */
  byte[] encode();

  /** Decodes a typed batch encoding; trailing bytes after the content are rejected. */
  static OpBatch decode(byte[] typed) {
    if (typed.length == 0) {
      throw new OpStackDecodingException("batch too short: empty");
    }
    int type = typed[0] & 0xFF;
    if (type == SINGULAR_BATCH_TYPE) {
      return SingularBatch.decodeContent(typed, 1);
    }
    if (type == SPAN_BATCH_TYPE) {
      throw new OpStackDecodingException("span batches (batch version 1) are not supported by this decoder");
    }
    throw new OpStackDecodingException("unknown batch version " + type);
  }
}
