package dev.tandem.adapters.opstack;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One transaction as a span batch stores it, split into columns: signature (r, s, y parity),
 * recipient, nonce, gas limit, whether a legacy transaction is EIP-155 protected, and
 * {@code txData}: the remaining fields, {@code rlp([value, gasPrice, data])} for legacy, or the
 * type byte followed by the type's remaining fields for types 1, 2 and 4 (EIP-2930, EIP-1559,
 * EIP-7702). The chain id is not stored; it comes back from the rollup's chain id.
 */
public record SpanBatchTx(int type, byte[] to, BigInteger r, BigInteger s, int yParity, boolean protectedLegacy,
    long nonce, long gas, byte[] txData) {
  public static final int LEGACY = 0;
  public static final int ACCESS_LIST = 1;
  public static final int DYNAMIC_FEE = 2;
  public static final int SET_CODE = 4;
  private static final BigInteger UINT256_LIMIT = BigInteger.ONE.shiftLeft(256);

  public SpanBatchTx {
    if (type != LEGACY && type != ACCESS_LIST && type != DYNAMIC_FEE && type != SET_CODE) {
      throw new IllegalArgumentException("transaction type " + type + " cannot go into a span batch");
    }
    if (to != null && to.length != 20) {
      throw new IllegalArgumentException("recipient must be 20 bytes");
    }
    if (to == null && type == SET_CODE) {
      throw new IllegalArgumentException("set-code transactions cannot create contracts");
    }
    if (r.signum() < 0 || s.signum() < 0 || r.compareTo(UINT256_LIMIT) >= 0 || s.compareTo(UINT256_LIMIT) >= 0) {
      throw new IllegalArgumentException("signature values must be uint256");
    }
    if (yParity != 0 && yParity != 1) {
      throw new IllegalArgumentException("y parity must be 0 or 1");
    }
    if (protectedLegacy && type != LEGACY) {
      throw new IllegalArgumentException("only legacy transactions have a protected bit");
    }
    to = to == null ? null : to.clone();
    txData = txData.clone();
  }

  @Override
  public byte[] to() {
    return to == null ? null : to.clone();
  }

  @Override
  public byte[] txData() {
    return txData.clone();
  }

  public boolean contractCreation() {
    return to == null;
  }

  /**
   * Splits a raw EIP-2718 transaction into span batch columns.
   *
   * @throws OpStackDecodingException if it is malformed, of a type span batches cannot carry, or
   *     signed for another chain than {@code chainId}
   */
  public static SpanBatchTx fromRawTransaction(byte[] raw, BigInteger chainId) {
    if (raw.length == 0) {
      throw new OpStackDecodingException("empty transaction");
    }
    int first = raw[0] & 0xFF;
    if (first >= 0xC0) {
      return fromLegacy(raw, chainId);
    }
    if (first != ACCESS_LIST && first != DYNAMIC_FEE && first != SET_CODE) {
      throw new OpStackDecodingException("transaction type " + first + " cannot go into a span batch");
    }
    Rlp.Reader outer = new Rlp.Reader(Arrays.copyOfRange(raw, 1, raw.length));
    Rlp.Reader f = outer.readList("transaction");
    requireEnd(outer, "transaction");
    BigInteger txChainId = f.readBigUint("chain id", 32);
    if (!txChainId.equals(chainId)) {
      throw new OpStackDecodingException("transaction signed for chain " + txChainId + ", not " + chainId);
    }
    long nonce = f.readUint("nonce");
    List<byte[]> rest = new ArrayList<>();
    byte[] gasPriceOrTip = f.readRaw("fee");
    rest.add(gasPriceOrTip);
    if (first != ACCESS_LIST) {
      rest.add(f.readRaw("max fee"));
    }
    long gas = f.readUint("gas");
    byte[] to = f.readString("to");
    if (to.length != 0 && to.length != 20) {
      throw new OpStackDecodingException("recipient of " + to.length + " bytes");
    }
    byte[] value = f.readRaw("value");
    byte[] data = f.readRaw("data");
    byte[] accessList = f.readRawList("access list");
    byte[] authList = first == SET_CODE ? f.readRawList("authorization list") : null;
    int yParity = f.readBigUint("y parity", 1).intValueExact();
    BigInteger r = f.readBigUint("r", 32);
    BigInteger s = f.readBigUint("s", 32);
    requireEnd(f, "transaction fields");
    if (yParity > 1) {
      throw new OpStackDecodingException("y parity " + yParity);
    }
    List<byte[]> dataItems = new ArrayList<>();
    dataItems.add(value);
    dataItems.addAll(rest);
    dataItems.add(data);
    dataItems.add(accessList);
    if (authList != null) {
      dataItems.add(authList);
    }
    byte[] body = Rlp.encodeList(dataItems);
    byte[] txData = new byte[body.length + 1];
    txData[0] = (byte) first;
    System.arraycopy(body, 0, txData, 1, body.length);
    return construct(first, to.length == 0 ? null : to, r, s, yParity, false, nonce, gas, txData);
  }

  private static SpanBatchTx fromLegacy(byte[] raw, BigInteger chainId) {
    Rlp.Reader outer = new Rlp.Reader(raw);
    Rlp.Reader f = outer.readList("legacy transaction");
    requireEnd(outer, "legacy transaction");
    long nonce = f.readUint("nonce");
    byte[] gasPrice = f.readRaw("gas price");
    long gas = f.readUint("gas");
    byte[] to = f.readString("to");
    if (to.length != 0 && to.length != 20) {
      throw new OpStackDecodingException("recipient of " + to.length + " bytes");
    }
    byte[] value = f.readRaw("value");
    byte[] data = f.readRaw("data");
    BigInteger v = f.readBigUint("v", 32);
    BigInteger r = f.readBigUint("r", 32);
    BigInteger s = f.readBigUint("s", 32);
    requireEnd(f, "legacy transaction fields");
    boolean isProtected;
    int yParity;
    if (v.equals(BigInteger.valueOf(27)) || v.equals(BigInteger.valueOf(28))) {
      isProtected = false;
      yParity = v.intValue() - 27;
    } else {
      BigInteger base = chainId.shiftLeft(1).add(BigInteger.valueOf(35));
      BigInteger parity = v.subtract(base);
      if (parity.signum() < 0 || parity.compareTo(BigInteger.ONE) > 0) {
        throw new OpStackDecodingException("legacy transaction v=" + v + " is not for chain " + chainId);
      }
      isProtected = true;
      yParity = parity.intValue();
    }
    byte[] txData = Rlp.encodeList(value, gasPrice, data);
    return construct(LEGACY, to.length == 0 ? null : to, r, s, yParity, isProtected, nonce, gas, txData);
  }

  private static SpanBatchTx construct(int type, byte[] to, BigInteger r, BigInteger s, int yParity,
      boolean isProtected, long nonce, long gas, byte[] txData) {
    try {
      return new SpanBatchTx(type, to, r, s, yParity, isProtected, nonce, gas, txData);
    } catch (IllegalArgumentException e) {
      throw new OpStackDecodingException(e.getMessage(), e);
    }
  }

  /** Rebuilds the raw EIP-2718 transaction for the rollup's chain id. */
  public byte[] toRawTransaction(BigInteger chainId) {
    byte[] toItem = Rlp.encodeString(to == null ? new byte[0] : to);
    byte[] rItem = Rlp.encodeBigUint(r);
    byte[] sItem = Rlp.encodeBigUint(s);
    if (type == LEGACY) {
      Rlp.Reader fields = new Rlp.Reader(txData).readList("legacy tx data");
      byte[] value = fields.readRaw("value");
      byte[] gasPrice = fields.readRaw("gas price");
      byte[] data = fields.readRaw("data");
      BigInteger v = protectedLegacy
          ? chainId.shiftLeft(1).add(BigInteger.valueOf(35 + yParity))
          : BigInteger.valueOf(27 + yParity);
      return Rlp.encodeList(Rlp.encodeUint(nonce), gasPrice, Rlp.encodeUint(gas), toItem, value, data,
          Rlp.encodeBigUint(v), rItem, sItem);
    }
    Rlp.Reader fields = new Rlp.Reader(Arrays.copyOfRange(txData, 1, txData.length)).readList("tx data");
    byte[] value = fields.readRaw("value");
    List<byte[]> items = new ArrayList<>();
    items.add(Rlp.encodeBigUint(chainId));
    items.add(Rlp.encodeUint(nonce));
    items.add(fields.readRaw("fee"));
    if (type != ACCESS_LIST) {
      items.add(fields.readRaw("max fee"));
    }
    items.add(Rlp.encodeUint(gas));
    items.add(toItem);
    items.add(value);
    items.add(fields.readRaw("data"));
    items.add(fields.readRaw("access list"));
    if (type == SET_CODE) {
      items.add(fields.readRaw("authorization list"));
    }
    items.add(Rlp.encodeUint(yParity));
    items.add(rItem);
    items.add(sItem);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.writeBytes(Rlp.encodeList(items));
    return out.toByteArray();
  }

  /** Reads one tx_datas entry: legacy starts with an RLP list header, typed with the type byte. */
  static byte[] readTxData(byte[] buffer, int[] position) {
    int start = position[0];
    if (start >= buffer.length) {
      throw new OpStackDecodingException("span batch tx_datas truncated");
    }
    int first = buffer[start] & 0xFF;
    int listStart = start;
    if (first < 0xC0) {
      if (first != ACCESS_LIST && first != DYNAMIC_FEE && first != SET_CODE) {
        throw new OpStackDecodingException("span batch transaction of unknown type " + first);
      }
      listStart++;
    }
    Rlp.Reader reader = Rlp.Reader.from(buffer, listStart);
    Rlp.Reader fields = reader.readList("span batch tx data");
    int expected = switch (first) {
      case ACCESS_LIST -> 4;
      case DYNAMIC_FEE -> 5;
      case SET_CODE -> 6;
      default -> 3;
    };
    int count = 0;
    while (fields.hasNext()) {
      fields.readRaw("span batch tx data field");
      count++;
    }
    if (count != expected) {
      throw new OpStackDecodingException("span batch tx data of type " + (first >= 0xC0 ? 0 : first) + " has "
          + count + " fields, expected " + expected);
    }
    position[0] = reader.position();
    return Arrays.copyOfRange(buffer, start, position[0]);
  }

  static int typeOfTxData(byte[] txData) {
    int first = txData[0] & 0xFF;
    return first >= 0xC0 ? LEGACY : first;
  }

  private static void requireEnd(Rlp.Reader reader, String what) {
    if (reader.hasNext()) {
      throw new OpStackDecodingException(what + ": unexpected trailing items");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpanBatchTx t && type == t.type && Arrays.equals(to, t.to) && r.equals(t.r)
        && s.equals(t.s) && yParity == t.yParity && protectedLegacy == t.protectedLegacy && nonce == t.nonce
        && gas == t.gas && Arrays.equals(txData, t.txData);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(txData) * 31 + Long.hashCode(nonce) + r.hashCode();
  }

  @Override
  public String toString() {
    return "SpanBatchTx[type=" + type + ", nonce=" + nonce + ", gas=" + gas + ", creation=" + (to == null) + "]";
  }
}
