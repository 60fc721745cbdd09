package dev.tandem.core;

/** Hex as Ethereum JSON-RPC writes it: {@code 0x}-prefixed, lower case; quantities without leading zeros. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  public static String encode(byte[] bytes) {
    char[] out = new char[2 + bytes.length * 2];
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < bytes.length; i++) {
      out[2 + 2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[3 + 2 * i] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /** Decodes hex data with or without the {@code 0x} prefix; rejects odd length and non-hex digits. */
  public static byte[] decode(String hex) {
    if (hex == null) {
      throw new DecodingException("hex string is missing");
    }
    int start = hex.startsWith("0x") || hex.startsWith("0X") ? 2 : 0;
    int digits = hex.length() - start;
    if (digits % 2 != 0) {
      throw new DecodingException("hex string has an odd number of digits");
    }
    byte[] out = new byte[digits / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(hex.charAt(start + 2 * i), 16);
      int lo = Character.digit(hex.charAt(start + 2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new DecodingException("invalid hex digit near position " + (start + 2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /** Decodes hex data that must hold at most {@code maxBytes} bytes, checking before allocating. */
  public static byte[] decode(String hex, int maxBytes) {
    if (hex != null && hex.length() > 2 + 2L * maxBytes) {
      throw new DecodingException("hex data longer than " + maxBytes + " bytes");
    }
    return decode(hex);
  }

  public static String quantity(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("quantity must not be negative: " + value);
    }
    return "0x" + Long.toHexString(value);
  }

  /** Parses an Ethereum-style quantity ({@code 0x1a}); decimal strings are accepted too. */
  public static long parseQuantity(String text) {
    if (text == null || text.isEmpty()) {
      throw new DecodingException("quantity is missing");
    }
    try {
      long value = text.startsWith("0x") || text.startsWith("0X")
          ? Long.parseUnsignedLong(text.substring(2), 16)
          : Long.parseLong(text);
      if (value < 0) {
        throw new DecodingException("quantity out of range: " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new DecodingException("not a quantity: " + text);
    }
  }
}
