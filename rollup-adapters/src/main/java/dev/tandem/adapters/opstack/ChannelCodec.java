package dev.tandem.adapters.opstack;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * OP Stack channel encoding: the batches, each as an RLP string holding its typed encoding,
 * concatenated, then compressed. Zlib channels are a bare zlib stream; Brotli channels are the
 * version byte 1 then a Brotli stream. Decoding tells the two apart by the first byte as op-node
 * does: low nibble 8 or 15 is a zlib header, 1 is Brotli, anything else is rejected.
 */
public final class ChannelCodec {
  /** MAX_RLP_BYTES_PER_CHANNEL before Fjord. */
  public static final long MAX_RLP_BYTES_PER_CHANNEL_BEDROCK = 10_000_000L;
  /** MAX_RLP_BYTES_PER_CHANNEL from Fjord on (the version that also brings Brotli). */
  public static final long MAX_RLP_BYTES_PER_CHANNEL_FJORD = 100_000_000L;
  public static final int CHANNEL_VERSION_BROTLI = 1;

  private static final int ZLIB_CM8 = 8;
  private static final int ZLIB_CM15 = 15;
  // Brotli quality 10 with a 4 MiB window, as op-batcher's "brotli-10"; fixed so output is deterministic.
  private static final int BROTLI_QUALITY = 10;
  private static final int BROTLI_WINDOW = 22;

  private ChannelCodec() {}

  /** The uncompressed channel content: each batch's typed encoding as an RLP string, concatenated. */
  public static byte[] rlpBatches(List<? extends OpBatch> batches) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (OpBatch batch : batches) {
      out.writeBytes(Rlp.encodeString(batch.encode()));
    }
    return out.toByteArray();
  }

  /**
   * Encodes batches into channel data.
   *
   * @throws IllegalArgumentException if the uncompressed content exceeds {@code maxRlpBytes}
   */
  public static byte[] encode(List<? extends OpBatch> batches, ChannelCompression compression, long maxRlpBytes) {
    byte[] rlp = rlpBatches(batches);
    if (rlp.length > maxRlpBytes) {
      throw new IllegalArgumentException("channel content of " + rlp.length
          + " RLP bytes exceeds the limit of " + maxRlpBytes);
    }
    return compress(rlp, compression);
  }

  /** Compresses already-built RLP content into channel data. */
  public static byte[] compress(byte[] rlpBatches, ChannelCompression compression) {
    return switch (compression) {
      case ZLIB -> zlib(rlpBatches);
      case BROTLI -> brotli(rlpBatches);
    };
  }

  /**
   * Decodes channel data into its batches, reading at most {@code maxRlpBytes} of decompressed
   * content.
   *
   * @throws OpStackDecodingException on an unknown channel version, a corrupt or truncated
   *     compressed stream, or a malformed batch
   */
  public static DecodedChannel decode(byte[] channel, long maxRlpBytes) {
    if (channel.length == 0) {
      throw new OpStackDecodingException("empty channel");
    }
    int first = channel[0] & 0xFF;
    ChannelCompression compression;
    Decompressed content;
    if ((first & 0x0F) == ZLIB_CM8 || (first & 0x0F) == ZLIB_CM15) {
      compression = ChannelCompression.ZLIB;
      content = unzlib(channel, maxRlpBytes);
    } else if (first == CHANNEL_VERSION_BROTLI) {
      compression = ChannelCompression.BROTLI;
      content = unbrotli(channel, maxRlpBytes);
    } else {
      throw new OpStackDecodingException("cannot tell the channel compression from first byte 0x"
          + Integer.toHexString(first));
    }
    List<OpBatch> batches = new ArrayList<>();
    Rlp.Reader reader = new Rlp.Reader(content.bytes);
    while (reader.hasNext()) {
      int start = reader.position();
      byte[] typed;
      try {
        typed = reader.readString("channel batch");
      } catch (OpStackDecodingException e) {
        if (content.truncated) {
          // The limit cut this batch: the spec keeps only the batches that fit wholly.
          break;
        }
        throw new OpStackDecodingException("channel batch at offset " + start + ": " + e.getMessage(), e);
      }
      batches.add(OpBatch.decode(typed));
    }
    return new DecodedChannel(compression, batches, content.truncated);
  }

  private record Decompressed(byte[] bytes, boolean truncated) {}

  private static byte[] zlib(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static Decompressed unzlib(byte[] data, long limit) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data);
      LimitedBuffer out = new LimitedBuffer(limit);
      byte[] buffer = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(buffer);
        if (n == 0) {
          if (inflater.needsDictionary()) {
            throw new OpStackDecodingException("zlib channel asks for a preset dictionary, which OP Stack does not allow");
          }
          if (inflater.needsInput()) {
            throw new OpStackDecodingException("zlib channel stream ends early (truncated)");
          }
        }
        if (!out.write(buffer, n)) {
          return new Decompressed(out.toByteArray(), true);
        }
      }
      // Bytes after the end of the zlib stream are ignored, as Go's zlib reader does.
      return new Decompressed(out.toByteArray(), false);
    } catch (DataFormatException e) {
      throw new OpStackDecodingException("corrupt zlib channel: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
  }

  private static byte[] brotli(byte[] data) {
    ensureBrotli();
    try {
      byte[] compressed = Encoder.compress(data, new Encoder.Parameters()
          .setQuality(BROTLI_QUALITY).setWindow(BROTLI_WINDOW));
      byte[] out = new byte[compressed.length + 1];
      out[0] = CHANNEL_VERSION_BROTLI;
      System.arraycopy(compressed, 0, out, 1, compressed.length);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("brotli compression failed", e);
    }
  }

  private static Decompressed unbrotli(byte[] data, long limit) {
    ensureBrotli();
    InputStream compressed = new ByteArrayInputStream(data, 1, data.length - 1);
    try (BrotliInputStream in = new BrotliInputStream(compressed)) {
      LimitedBuffer out = new LimitedBuffer(limit);
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (!out.write(buffer, n)) {
          return new Decompressed(out.toByteArray(), true);
        }
      }
      return new Decompressed(out.toByteArray(), false);
    } catch (IOException e) {
      throw new OpStackDecodingException("corrupt or truncated brotli channel: " + e.getMessage(), e);
    }
  }

  private static void ensureBrotli() {
    try {
      Brotli4jLoader.ensureAvailability();
    } catch (Throwable t) {
      throw new IllegalStateException("the brotli4j native library is not available on this platform", t);
    }
  }

  /** Collects decompressed bytes up to a limit, so a zip bomb costs at most the limit in memory. */
  private static final class LimitedBuffer {
    private final long limit;
    private byte[] bytes = new byte[64 * 1024];
    private int size;

    LimitedBuffer(long limit) {
      this.limit = Math.min(limit, Integer.MAX_VALUE - 16);
    }

    /** Appends; returns false (keeping only what fits) once the limit is exceeded. */
    boolean write(byte[] buffer, int n) {
      int fits = (int) Math.min(n, limit - size);
      if (size + fits > bytes.length) {
        bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max((long) bytes.length * 2, size + fits)));
      }
      System.arraycopy(buffer, 0, bytes, size, fits);
      size += fits;
      return fits == n;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }
  }
}
