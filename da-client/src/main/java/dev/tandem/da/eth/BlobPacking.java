package dev.tandem.da.eth;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs arbitrary bytes into EIP-4844 blobs: a 4-byte big-endian length, then the data, spread
 * over field elements of 32 bytes whose first byte is always zero (so every element is below the
 * BLS modulus) and whose other 31 bytes carry data. One blob carries 4096 x 31 = 126,976 bytes.
 */
public final class BlobPacking {
  public static final int BLOB_BYTES = 131_072;
  public static final int FIELD_ELEMENTS = 4096;
  public static final int USABLE_PER_ELEMENT = 31;
  public static final int USABLE_PER_BLOB = FIELD_ELEMENTS * USABLE_PER_ELEMENT;

  private BlobPacking() {}

  public static int blobsNeeded(int dataLength) {
    return Math.max(1, (int) ((4L + dataLength + USABLE_PER_BLOB - 1) / USABLE_PER_BLOB));
  }

  public static List<byte[]> pack(byte[] data) {
    byte[] framed = ByteBuffer.allocate(4 + data.length).putInt(data.length).put(data).array();
    int count = blobsNeeded(data.length);
    List<byte[]> blobs = new ArrayList<>(count);
    int offset = 0;
    for (int b = 0; b < count; b++) {
      byte[] blob = new byte[BLOB_BYTES];
      for (int element = 0; element < FIELD_ELEMENTS && offset < framed.length; element++) {
        int take = Math.min(USABLE_PER_ELEMENT, framed.length - offset);
        System.arraycopy(framed, offset, blob, element * 32 + 1, take);
        offset += take;
      }
      blobs.add(blob);
    }
    return blobs;
  }

  /** Reverses {@link #pack}; rejects blobs with a non-zero high byte or an impossible length. */
  public static byte[] unpack(List<byte[]> blobs) {
    ByteBuffer usable = ByteBuffer.allocate(blobs.size() * USABLE_PER_BLOB);
    for (byte[] blob : blobs) {
      if (blob.length != BLOB_BYTES) {
        throw new IllegalArgumentException("a blob is " + BLOB_BYTES + " bytes, got " + blob.length);
      }
      for (int element = 0; element < FIELD_ELEMENTS; element++) {
        if (blob[element * 32] != 0) {
          throw new IllegalArgumentException("field element " + element + " has a non-zero high byte");
        }
        usable.put(blob, element * 32 + 1, USABLE_PER_ELEMENT);
      }
    }
    usable.flip();
    int length = usable.getInt();
    if (length < 0 || length > usable.remaining()) {
      throw new IllegalArgumentException("packed length " + length + " exceeds the blobs' capacity");
    }
    byte[] data = new byte[length];
    usable.get(data);
    return data;
  }
}
