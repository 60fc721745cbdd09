package dev.tandem.bft;

import dev.tandem.bft.ConsensusMessage.BlockRequest;
import dev.tandem.bft.ConsensusMessage.BlockResponse;
import dev.tandem.bft.ConsensusMessage.Proposal;
import dev.tandem.bft.ConsensusMessage.Timeout;
import dev.tandem.bft.ConsensusMessage.VoteMessage;
import dev.tandem.bft.quorum.QuorumCertificate;
import dev.tandem.bft.quorum.Signature;
import dev.tandem.bft.quorum.TimeoutCertificate;
import dev.tandem.bft.quorum.Vote;
import dev.tandem.core.Block;
import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Wire form of {@link ConsensusMessage}s: {@code u8 tag, body} in Tandem's canonical encoding.
 * Decoding is strict (bounded counts and sizes, no trailing bytes, flags exactly 0 or 1) and
 * fails only with {@link DecodingException}.
 *
 * <ul>
 *   <li>1 Proposal: {@code u64 view, bytes block, QC justify, u8 hasTc, [TC], Signature}
 *   <li>2 Vote: {@link Vote} encoding
 *   <li>3 Timeout: {@code u64 view, QC highQc, u8 hasTc, [TC], Signature}
 *   <li>4 BlockRequest: {@code bytes32 hash, u32 count (1..MAX_SYNC_BLOCKS)}
 *   <li>5 BlockResponse: {@code u32 count, count x (bytes block, QC)}
 * </ul>
 */
public final class ConsensusCodec {
  public static final int MAX_SYNC_BLOCKS = 64;
  private static final int PROPOSAL = 1;
  private static final int VOTE = 2;
  private static final int TIMEOUT = 3;
  private static final int BLOCK_REQUEST = 4;
  private static final int BLOCK_RESPONSE = 5;

  private final int maxMessageBytes;

  /** {@code maxMessageBytes} bounds a whole message, and so every block in it. */
  public ConsensusCodec(int maxMessageBytes) {
    if (maxMessageBytes < 1024 || maxMessageBytes > Block.MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException("maxMessageBytes must be in [1024, " + Block.MAX_ENCODED_BYTES + "]");
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  public byte[] encode(ConsensusMessage message) {
    CanonicalWriter writer = new CanonicalWriter(512);
    if (message instanceof Proposal p) {
      writer.u8(PROPOSAL).u64(p.view()).bytes(p.block().encode());
      p.justify().writeTo(writer);
      writeOptionalTc(writer, p.tc());
      p.signature().writeTo(writer);
    } else if (message instanceof VoteMessage v) {
      writer.u8(VOTE);
      v.vote().writeTo(writer);
    } else if (message instanceof Timeout t) {
      writer.u8(TIMEOUT).u64(t.view());
      t.highQc().writeTo(writer);
      writeOptionalTc(writer, t.lastTc());
      t.signature().writeTo(writer);
    } else if (message instanceof BlockRequest r) {
      writer.u8(BLOCK_REQUEST).hash(r.blockHash()).u32(r.count());
    } else if (message instanceof BlockResponse r) {
      writer.u8(BLOCK_RESPONSE).u32(r.blocks().size());
      r.blocks().forEach(entry -> writeSynced(writer, entry));
    } else {
      throw new IllegalArgumentException("unknown message " + message);
    }
    if (writer.size() > maxMessageBytes) {
      throw new IllegalArgumentException("message of " + writer.size() + " bytes exceeds " + maxMessageBytes);
    }
    return writer.toByteArray();
  }

  /**
   * Encodes as many of a block response's blocks as fit in one message, from the first (the
   * newest) on; the asker requests the rest from the parent of the oldest it got. Without this, a
   * node holding a run of large blocks could not answer a sync request at all. Fails only when
   * not even the first block fits.
   */
  public byte[] encodeFitting(BlockResponse response) {
    List<byte[]> entries = new ArrayList<>();
    int size = 1 + 4;
    for (CertifiedBlock entry : response.blocks()) {
      CanonicalWriter one = new CanonicalWriter(512);
      writeSynced(one, entry);
      if (!entries.isEmpty() && size + one.size() > maxMessageBytes) {
        break;
      }
      entries.add(one.toByteArray());
      size += one.size();
    }
    if (size > maxMessageBytes) {
      throw new IllegalArgumentException("a synced block of " + size + " bytes exceeds " + maxMessageBytes);
    }
    CanonicalWriter writer = new CanonicalWriter(size).u8(BLOCK_RESPONSE).u32(entries.size());
    entries.forEach(writer::fixed);
    return writer.toByteArray();
  }

  private static void writeSynced(CanonicalWriter writer, CertifiedBlock entry) {
    writer.bytes(entry.block().encode());
    entry.qc().writeTo(writer);
  }

  public ConsensusMessage decode(byte[] encoded) {
    if (encoded.length > maxMessageBytes) {
      throw new DecodingException("message of " + encoded.length + " bytes exceeds " + maxMessageBytes);
    }
    CanonicalReader reader = new CanonicalReader(encoded);
    int tag = reader.u8("message tag");
    ConsensusMessage message;
    switch (tag) {
      case PROPOSAL -> {
        long view = reader.unsigned63("view");
        Block block = Block.decode(reader.bytes(maxMessageBytes, "block"));
        QuorumCertificate justify = QuorumCertificate.read(reader);
        Optional<TimeoutCertificate> tc = readOptionalTc(reader);
        message = new Proposal(view, block, justify, tc, Signature.read(reader));
      }
      case VOTE -> message = new VoteMessage(Vote.read(reader));
      case TIMEOUT -> {
        long view = reader.unsigned63("view");
        QuorumCertificate highQc = QuorumCertificate.read(reader);
        Optional<TimeoutCertificate> tc = readOptionalTc(reader);
        message = new Timeout(view, highQc, tc, Signature.read(reader));
      }
      case BLOCK_REQUEST -> {
        var hash = reader.hash("block hash");
        long count = reader.u32("count");
        if (count < 1 || count > MAX_SYNC_BLOCKS) {
          throw new DecodingException("block request count " + count + " not in [1, " + MAX_SYNC_BLOCKS + "]");
        }
        message = new BlockRequest(hash, (int) count);
      }
      case BLOCK_RESPONSE -> {
        int count = reader.count(MAX_SYNC_BLOCKS, "synced block");
        List<CertifiedBlock> blocks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          Block block = Block.decode(reader.bytes(maxMessageBytes, "block"));
          blocks.add(new CertifiedBlock(block, QuorumCertificate.read(reader)));
        }
        message = new BlockResponse(blocks);
      }
      default -> throw new DecodingException("unknown consensus message tag " + tag);
    }
    reader.end();
    return message;
  }

  private static void writeOptionalTc(CanonicalWriter writer, Optional<TimeoutCertificate> tc) {
    writer.u8(tc.isPresent() ? 1 : 0);
    tc.ifPresent(value -> value.writeTo(writer));
  }

  private static Optional<TimeoutCertificate> readOptionalTc(CanonicalReader reader) {
    int flag = reader.u8("TC flag");
    if (flag > 1) {
      throw new DecodingException("TC flag must be 0 or 1, got " + flag);
    }
    return flag == 1 ? Optional.of(TimeoutCertificate.read(reader)) : Optional.empty();
  }
}
