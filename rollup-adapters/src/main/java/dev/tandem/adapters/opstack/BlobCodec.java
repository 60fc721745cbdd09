package dev.tandem.adapters.opstack;

/**
 * The OP Stack blob encoding, version 0 (Ecotone). A blob is 4096 field elements of 32 bytes;
 * each element keeps its top two bits zero, so 4 elements carry 127 bytes: 4 x 31 low bytes plus
 * 3 bytes spread over the 6 free bits of the elements' first bytes. The carried byte stream starts
 * with the encoding version (0) and a big-endian uint24 length, then the data, then zeros.
 * Decoding checks everything that keeps the encoding bijective.
 */
public final class BlobCodec {
  public static final int BLOB_SIZE = 131_072;
  public static final int ENCODING_VERSION = 0;
  private static final int ROUNDS = 1024;
  private static final int ROUND_BYTES = 127;
  private static final int STREAM_BYTES = ROUNDS * ROUND_BYTES; // 130048
  private static final int HEADER_BYTES = 4;
  /** The most data one blob carries: 130048 - 4 = 130044 bytes. */
  public static final int MAX_DATA_SIZE = STREAM_BYTES - HEADER_BYTES;

  private BlobCodec() {}

  /**
   * Encodes data into a blob.
   *
   * @throws IllegalArgumentException if the data is longer than {@link #MAX_DATA_SIZE}
   */
  public static byte[] encode(byte[] data) {
    if (data.length > MAX_DATA_SIZE) {
      throw new IllegalArgumentException("blob data of " + data.length + " bytes exceeds " + MAX_DATA_SIZE);
    }
    byte[] stream = new byte[STREAM_BYTES];
    stream[0] = ENCODING_VERSION;
    stream[1] = (byte) (data.length >>> 16);
    stream[2] = (byte) (data.length >>> 8);
    stream[3] = (byte) data.length;
    System.arraycopy(data, 0, stream, HEADER_BYTES, data.length);

    byte[] blob = new byte[BLOB_SIZE];
    for (int round = 0; round < ROUNDS; round++) {
      int s = round * ROUND_BYTES;
      int b = round * 128;
      int x = stream[s + 31] & 0xFF;
      int y = stream[s + 63] & 0xFF;
      int z = stream[s + 95] & 0xFF;
      blob[b] = (byte) (x & 0x3F);
      System.arraycopy(stream, s, blob, b + 1, 31);
      blob[b + 32] = (byte) ((y & 0x0F) | ((x & 0xC0) >>> 2));
      System.arraycopy(stream, s + 32, blob, b + 33, 31);
      blob[b + 64] = (byte) (z & 0x3F);
      System.arraycopy(stream, s + 64, blob, b + 65, 31);
      blob[b + 96] = (byte) (((z & 0xC0) >>> 2) | ((y & 0xF0) >>> 4));
      System.arraycopy(stream, s + 96, blob, b + 97, 31);
    }
    return blob;
  }

  /**
   * Decodes a blob into its data.
   *
   * @throws OpStackDecodingException if the blob is not 131072 bytes, a field element has either
   *     of its top two bits set, the version is not 0, the length exceeds 130044, or any byte past
   *     the data is not zero
   */
  public static byte[] decode(byte[] blob) {
    if (blob.length != BLOB_SIZE) {
      throw new OpStackDecodingException("blob must be " + BLOB_SIZE + " bytes, got " + blob.length);
    }
    byte[] stream = new byte[STREAM_BYTES];
    for (int round = 0; round < ROUNDS; round++) {
      int s = round * ROUND_BYTES;
      int b = round * 128;
      for (int e = 0; e < 4; e++) {
        if ((blob[b + 32 * e] & 0xC0) != 0) {
          throw new OpStackDecodingException("invalid field element " + (round * 4 + e)
              + ": top two bits must be zero");
        }
      }
      int a = blob[b] & 0xFF;
      int bb = blob[b + 32] & 0xFF;
      int c = blob[b + 64] & 0xFF;
      int d = blob[b + 96] & 0xFF;
      System.arraycopy(blob, b + 1, stream, s, 31);
      stream[s + 31] = (byte) (a | ((bb & 0x30) << 2));
      System.arraycopy(blob, b + 33, stream, s + 32, 31);
      stream[s + 63] = (byte) ((bb & 0x0F) | ((d & 0x0F) << 4));
      System.arraycopy(blob, b + 65, stream, s + 64, 31);
      stream[s + 95] = (byte) (c | ((d & 0x30) << 2));
      System.arraycopy(blob, b + 97, stream, s + 96, 31);
    }
    if (stream[0] != ENCODING_VERSION) {
      throw new OpStackDecodingException("invalid blob encoding version " + (stream[0] & 0xFF));
    }
    int length = ((stream[1] & 0xFF) << 16) | ((stream[2] & 0xFF) << 8) | (stream[3] & 0xFF);
    if (length > MAX_DATA_SIZE) {
      throw new OpStackDecodingException("invalid blob length " + length + " (max " + MAX_DATA_SIZE + ")");
    }
    for (int i = HEADER_BYTES + length; i < STREAM_BYTES; i++) {
      if (stream[i] != 0) {
        throw new OpStackDecodingException("extraneous non-zero data in the blob past its length " + length);
      }
    }
    byte[] data = new byte[length];
    System.arraycopy(stream, HEADER_BYTES, data, 0, length);
    return data;
  }
}
