package dev.tandem.da;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where a layer put posted data: the layer's name, its commitment to the data, and a locator
 * (local DA: sequence number; Ethereum: block number). Canonical encoding:
 * {@code u8 nameLength, name (ASCII), u32 commitmentLength, commitment, u64 locator}.
 */
public record DaReceipt(String layer, byte[] commitment, long locator) {
  private static final int MAX_NAME = 32;
  private static final int MAX_COMMITMENT = 4096;

  public DaReceipt {
    commitment = commitment.clone();
    if (layer.isEmpty() || layer.length() > MAX_NAME) {
      throw new IllegalArgumentException("layer name must be 1 to " + MAX_NAME + " characters");
    }
  }

  @Override
  public byte[] commitment() {
    return commitment.clone();
  }

  public String commitmentHex() {
    return "0x" + HexFormat.of().formatHex(commitment);
  }

  public byte[] encode() {
    byte[] name = layer.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(1 + name.length + 4 + commitment.length + 8)
        .put((byte) name.length).put(name).putInt(commitment.length).put(commitment).putLong(locator).array();
  }

  /** Strict decoding: bounded lengths, no trailing bytes. */
  public static DaReceipt decode(byte[] encoded) {
    try {
      ByteBuffer in = ByteBuffer.wrap(encoded);
      int nameLength = in.get() & 0xff;
      if (nameLength == 0 || nameLength > MAX_NAME) {
        throw new IllegalArgumentException("bad layer name length " + nameLength);
      }
      byte[] name = new byte[nameLength];
      in.get(name);
      int commitmentLength = in.getInt();
      if (commitmentLength < 0 || commitmentLength > MAX_COMMITMENT) {
        throw new IllegalArgumentException("bad commitment length " + commitmentLength);
      }
      byte[] commitment = new byte[commitmentLength];
      in.get(commitment);
      long locator = in.getLong();
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      return new DaReceipt(new String(name, StandardCharsets.US_ASCII), commitment, locator);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated DA receipt");
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DaReceipt r && layer.equals(r.layer) && Arrays.equals(commitment, r.commitment)
        && locator == r.locator;
  }

  @Override
  public int hashCode() {
    return layer.hashCode() * 31 + Arrays.hashCode(commitment);
  }

  @Override
  public String toString() {
    return "DaReceipt(" + layer + ", " + commitmentHex() + ", " + locator + ")";
  }
}
