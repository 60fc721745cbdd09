package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

/**
 * Minimal RLP as op-node reads it: strict about canonical forms (go-ethereum's rlp rejects
 * non-canonical sizes and integers with leading zeros), so encode and decode are bijective.
 */
final class Rlp {
  private Rlp() {}

  static byte[] encodeString(byte[] value) {
    if (value.length == 1 && (value[0] & 0xFF) < 0x80) {
      return value.clone();
    }
    return withHeader(0x80, value);
  }

  /** Encodes a list from its already-encoded items. */
  static byte[] encodeList(List<byte[]> encodedItems) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] item : encodedItems) {
      body.writeBytes(item);
    }
    return withHeader(0xC0, body.toByteArray());
  }

  /** Encodes a non-negative integer as a big-endian string without leading zeros. */
  static byte[] encodeUint(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative integer " + value);
    }
    int length = (64 - Long.numberOfLeadingZeros(value) + 7) / 8;
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[length - 1 - i] = (byte) (value >>> (8 * i));
    }
    return encodeString(bytes);
  }

  /** Encodes a non-negative integer of any size as a big-endian string without leading zeros. */
  static byte[] encodeBigUint(BigInteger value) {
    if (value.signum() < 0) {
      throw new IllegalArgumentException("negative integer " + value);
    }
    return encodeString(unsignedBytes(value));
  }

  /** The minimal big-endian bytes of a non-negative integer (empty for zero). */
  static byte[] unsignedBytes(BigInteger value) {
    byte[] bytes = value.toByteArray();
    int skip = 0;
    while (skip < bytes.length && bytes[skip] == 0) {
      skip++;
    }
    return Arrays.copyOfRange(bytes, skip, bytes.length);
  }

  /** Concatenates already-encoded items into a list. */
  static byte[] encodeList(byte[]... encodedItems) {
    return encodeList(Arrays.asList(encodedItems));
  }

  private static byte[] withHeader(int offset, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 9);
    if (body.length < 56) {
      out.write(offset + body.length);
    } else {
      int lengthOfLength = (32 - Integer.numberOfLeadingZeros(body.length) + 7) / 8;
      out.write(offset + 55 + lengthOfLength);
      for (int i = lengthOfLength - 1; i >= 0; i--) {
        out.write(body.length >>> (8 * i));
      }
    }
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** Reads consecutive items from {@code data[from, to)}. */
  static final class Reader {
    private final byte[] data;
    private final int end;
    private int position;

    Reader(byte[] data) {
      this(data, 0, data.length);
    }

    /** A reader over {@code data[from, data.length)}; positions stay absolute. */
    static Reader from(byte[] data, int from) {
      return new Reader(data, from, data.length);
    }

    private Reader(byte[] data, int from, int to) {
      this.data = data;
      this.position = from;
      this.end = to;
    }

    boolean hasNext() {
      return position < end;
    }

    int position() {
      return position;
    }

    byte[] readString(String what) {
      Item item = next(what);
      if (item.list) {
        throw new OpStackDecodingException(what + ": expected an RLP string, found a list");
      }
      byte[] out = new byte[item.length];
      System.arraycopy(data, item.offset, out, 0, item.length);
      return out;
    }

    byte[] readFixed(String what, int length) {
      byte[] value = readString(what);
      if (value.length != length) {
        throw new OpStackDecodingException(what + ": expected " + length + " bytes, found " + value.length);
      }
      return value;
    }

    /** Reads an unsigned integer that must fit a non-negative long. */
    long readUint(String what) {
      byte[] value = readString(what);
      if (value.length > 0 && value[0] == 0) {
        throw new OpStackDecodingException(what + ": non-canonical integer (leading zero)");
      }
      if (value.length > 8 || (value.length == 8 && value[0] < 0)) {
        throw new OpStackDecodingException(what + ": integer does not fit 63 bits");
      }
      long result = 0;
      for (byte b : value) {
        result = (result << 8) | (b & 0xFF);
      }
      return result;
    }

    /** Reads an unsigned integer of at most {@code maxBytes} bytes, canonical (no leading zero). */
    BigInteger readBigUint(String what, int maxBytes) {
      byte[] value = readString(what);
      if (value.length > 0 && value[0] == 0) {
        throw new OpStackDecodingException(what + ": non-canonical integer (leading zero)");
      }
      if (value.length > maxBytes) {
        throw new OpStackDecodingException(what + ": integer longer than " + maxBytes + " bytes");
      }
      return new BigInteger(1, value);
    }

    /** Reads one item (string or list) and returns its whole encoding, header included. */
    byte[] readRaw(String what) {
      int start = position;
      next(what);
      return Arrays.copyOfRange(data, start, position);
    }

    /** Reads one list item and returns its whole encoding, header included. */
    byte[] readRawList(String what) {
      int start = position;
      readList(what);
      return Arrays.copyOfRange(data, start, position);
    }

    Reader readList(String what) {
      Item item = next(what);
      if (!item.list) {
        throw new OpStackDecodingException(what + ": expected an RLP list, found a string");
      }
      return new Reader(data, item.offset, item.offset + item.length);
    }

    private record Item(boolean list, int offset, int length) {}

    private Item next(String what) {
      if (position >= end) {
        throw new OpStackDecodingException(what + ": input ends before the item");
      }
      int prefix = data[position] & 0xFF;
      Item item;
      if (prefix < 0x80) {
        item = new Item(false, position, 1);
      } else if (prefix < 0xB8) {
        item = new Item(false, position + 1, prefix - 0x80);
        if (item.length == 1 && item.offset < end && (data[item.offset] & 0xFF) < 0x80) {
          throw new OpStackDecodingException(what + ": non-canonical size for a single byte below 0x80");
        }
      } else if (prefix < 0xC0) {
        item = longForm(what, false, prefix - 0xB7);
      } else if (prefix < 0xF8) {
        item = new Item(true, position + 1, prefix - 0xC0);
      } else {
        item = longForm(what, true, prefix - 0xF7);
      }
      if ((long) item.offset + item.length > end) {
        throw new OpStackDecodingException(what + ": item of " + item.length + " bytes is truncated ("
            + Math.max(0, end - item.offset) + " available)");
      }
      position = item.offset + item.length;
      return item;
    }

    private Item longForm(String what, boolean list, int lengthOfLength) {
      int start = position + 1;
      if (lengthOfLength > 4) {
        throw new OpStackDecodingException(what + ": item length needs " + lengthOfLength + " bytes, too large");
      }
      if (start + lengthOfLength > end) {
        throw new OpStackDecodingException(what + ": truncated length");
      }
      if (data[start] == 0) {
        throw new OpStackDecodingException(what + ": non-canonical size (leading zero)");
      }
      long length = 0;
      for (int i = 0; i < lengthOfLength; i++) {
        length = (length << 8) | (data[start + i] & 0xFF);
      }
      if (length < 56) {
        throw new OpStackDecodingException(what + ": non-canonical size (long form below 56)");
      }
      if (length > Integer.MAX_VALUE) {
        throw new OpStackDecodingException(what + ": item length " + length + " too large");
      }
      return new Item(list, start + lengthOfLength, (int) length);
    }
  }
}
