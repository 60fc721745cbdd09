package dev.tandem.adapters.opstack;

/**
 * A sequencer batch as carried in an OP Stack channel: {@code batch_version ++ content};
 * singular batches (version 0) and span batches (version 1, Delta).
 */
public sealed interface OpBatch permits SingularBatch, SpanBatch {
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
      return SpanBatch.decodeContent(typed, 1);
    }
    throw new OpStackDecodingException("unknown batch version " + type);
  }
}
