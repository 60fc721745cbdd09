package dev.tandem.core;

import java.math.BigInteger;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * The group arithmetic that batch verification needs and Bouncy Castle keeps private: points of
 * edwards25519 (-x² + y² = 1 + d·x²·y² over GF(2^255 - 19)) in extended coordinates, decoding,
 * and a multi-scalar multiplication. Field arithmetic is Bouncy Castle's {@link X25519Field}.
 *
 * <p>Variable time throughout: it only ever touches public values (keys, signatures, messages).
 * One instance holds scratch space for one computation at a time; it is not thread-safe.
 */
final class Edwards25519 {
  static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
  /** The order of the prime-order subgroup (and of the base point). */
  static final BigInteger L = BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D_VALUE = BigInteger.valueOf(-121665)
      .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final int[] D = element(D_VALUE);
  private static final int[] D2 = element(D_VALUE.shiftLeft(1).mod(P));
  private static final BigInteger BASE_Y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
  /** The base point's odd multiples B, 3B, ..., 63B for a width-7 NAF. */
  private static final Cached[] BASE_TABLE;
  private static final int BASE_WINDOW = 7;
  /** Window of the NAF of every other point; its table of 8 odd multiples is built per computation. */
  static final int WINDOW = 5;

  static {
    byte[] encoded = littleEndian(BASE_Y); // the base point's x is even: sign bit 0
    Edwards25519 scratch = new Edwards25519();
    Point base = scratch.decode(encoded, false);
    BASE_TABLE = scratch.oddMultiples(base, BASE_WINDOW);
  }

  /** A point (X:Y:Z:T) with x = X/Z, y = Y/Z and x·y = T/Z. */
  static final class Point {
    final int[] x = X25519Field.create();
    final int[] y = X25519Field.create();
    final int[] z = X25519Field.create();
    final int[] t = X25519Field.create();

    static Point identity() {
      Point p = new Point();
      X25519Field.one(p.y);
      X25519Field.one(p.z);
      return p;
    }
  }

  /** A point ready to be added: (Y+X, Y-X, 2Z, 2d·T). */
  static final class Cached {
    final int[] yPlusX = X25519Field.create();
    final int[] yMinusX = X25519Field.create();
    final int[] z2 = X25519Field.create();
    final int[] t2d = X25519Field.create();
  }

  /**
   * One term of a multi-scalar multiplication: a point, as its table of odd multiples (see
   * {@link #oddMultiples}; the table's length sets the NAF window), and its scalar (0 <= scalar < 2^256).
   */
  record Term(Cached[] table, BigInteger scalar) {}

  /** A term for {@code point} with the default window. */
  Term term(Point point, BigInteger scalar) {
    return new Term(oddMultiples(point, WINDOW), scalar);
  }

  private final int[] a = X25519Field.create();
  private final int[] b = X25519Field.create();
  private final int[] c = X25519Field.create();
  private final int[] d = X25519Field.create();
  private final int[] e = X25519Field.create();
  private final int[] f = X25519Field.create();
  private final int[] g = X25519Field.create();
  private final int[] h = X25519Field.create();

  /**
   * Decodes a point the way Bouncy Castle's verification decodes R: y must be below p (the sign
   * bit aside), x must exist, and x = 0 must not carry sign 1. With {@code negate}, returns the
   * point's negative. Null when the bytes are no point.
   */
  Point decode(byte[] encoded, boolean negate) {
    if (encoded.length != 32 || !canonicalY(encoded)) {
      return null;
    }
    int sign = (encoded[31] & 0x80) >>> 7;
    byte[] yBytes = encoded.clone();
    yBytes[31] &= 0x7f;
    Point p = new Point();
    X25519Field.decode(yBytes, 0, p.y);
    X25519Field.sqr(p.y, a);
    X25519Field.mul(D, a, b);
    X25519Field.subOne(a); // u = y² - 1
    X25519Field.addOne(b); // v = d·y² + 1
    if (!X25519Field.sqrtRatioVar(a, b, p.x)) {
      return null;
    }
    X25519Field.normalize(p.x);
    if (sign == 1 && X25519Field.isZeroVar(p.x)) {
      return null;
    }
    if (negate ^ ((p.x[0] & 1) != sign)) {
      X25519Field.negate(p.x, p.x);
      X25519Field.normalize(p.x);
    }
    X25519Field.one(p.z);
    X25519Field.mul(p.x, p.y, p.t);
    return p;
  }

  /** The 32-byte encoding: y with x's parity in the top bit. */
  byte[] encode(Point p) {
    int[] zInverse = X25519Field.create();
    int[] x = X25519Field.create();
    int[] y = X25519Field.create();
    X25519Field.inv(p.z, zInverse);
    X25519Field.mul(p.x, zInverse, x);
    X25519Field.mul(p.y, zInverse, y);
    X25519Field.normalize(x);
    X25519Field.normalize(y);
    byte[] out = new byte[32];
    X25519Field.encode(y, out, 0);
    out[31] |= (byte) ((x[0] & 1) << 7);
    return out;
  }

  /** Whether the encoding's y (its low 255 bits) is below p = 2^255 - 19. */
  static boolean canonicalY(byte[] encoded) {
    if ((encoded[31] & 0x7f) != 0x7f) {
      return true;
    }
    for (int i = 30; i >= 1; i--) {
      if (encoded[i] != (byte) 0xff) {
        return true;
      }
    }
    return (encoded[0] & 0xff) < 0xed;
  }

  /** Whether {@code p} is the neutral element. */
  boolean isIdentity(Point p) {
    X25519Field.normalize(p.x);
    X25519Field.sub(p.y, p.z, a);
    X25519Field.normalize(a);
    return X25519Field.isZeroVar(p.x) && X25519Field.isZeroVar(a);
  }

  /** {@code r = 2p} (r may be p). */
  void dbl(Point p, Point r) {
    X25519Field.sqr(p.x, a); // A = X²
    X25519Field.sqr(p.y, b); // B = Y²
    X25519Field.sqr(p.z, c);
    X25519Field.add(c, c, c); // C = 2Z²
    X25519Field.carry(c);
    X25519Field.add(p.x, p.y, e);
    X25519Field.carry(e);
    X25519Field.sqr(e, e); // (X+Y)²
    X25519Field.add(a, b, h); // A + B = -H
    X25519Field.carry(h);
    X25519Field.sub(e, h, e); // E = (X+Y)² - A - B
    X25519Field.carry(e);
    X25519Field.sub(b, a, g); // G = B - A
    X25519Field.carry(g);
    X25519Field.sub(g, c, f); // F = G - C
    X25519Field.carry(f);
    X25519Field.negate(h, h); // H = -A - B
    X25519Field.carry(h);
    X25519Field.mul(e, f, r.x);
    X25519Field.mul(g, h, r.y);
    X25519Field.mul(e, h, r.t);
    X25519Field.mul(f, g, r.z);
  }

  /** {@code r = p + q}, or {@code p - q} with {@code subtract} (r may be p). Complete: no special cases. */
  void add(Point p, Cached q, boolean subtract, Point r) {
    X25519Field.sub(p.y, p.x, e);
    X25519Field.carry(e);
    X25519Field.mul(e, subtract ? q.yPlusX : q.yMinusX, a); // A
    X25519Field.add(p.y, p.x, e);
    X25519Field.carry(e);
    X25519Field.mul(e, subtract ? q.yMinusX : q.yPlusX, b); // B
    X25519Field.mul(p.t, q.t2d, c); // C (negated when subtracting)
    X25519Field.mul(p.z, q.z2, d); // D
    X25519Field.sub(b, a, e); // E = B - A
    X25519Field.carry(e);
    X25519Field.add(b, a, h); // H = B + A
    X25519Field.carry(h);
    if (subtract) {
      X25519Field.add(d, c, f);
      X25519Field.sub(d, c, g);
    } else {
      X25519Field.sub(d, c, f); // F = D - C
      X25519Field.add(d, c, g); // G = D + C
    }
    X25519Field.carry(f);
    X25519Field.carry(g);
    X25519Field.mul(e, f, r.x);
    X25519Field.mul(g, h, r.y);
    X25519Field.mul(e, h, r.t);
    X25519Field.mul(f, g, r.z);
  }

  Cached cached(Point p) {
    Cached q = new Cached();
    X25519Field.add(p.y, p.x, q.yPlusX);
    X25519Field.carry(q.yPlusX);
    X25519Field.sub(p.y, p.x, q.yMinusX);
    X25519Field.carry(q.yMinusX);
    X25519Field.add(p.z, p.z, q.z2);
    X25519Field.carry(q.z2);
    X25519Field.mul(p.t, D2, q.t2d);
    return q;
  }

  /** P, 3P, 5P, ..., (2^(window-1) - 1)P. */
  Cached[] oddMultiples(Point p, int window) {
    Cached[] table = new Cached[1 << (window - 2)];
    table[0] = cached(p);
    Point twice = new Point();
    dbl(p, twice);
    Cached twiceCached = cached(twice);
    Point current = copy(p);
    for (int i = 1; i < table.length; i++) {
      add(current, twiceCached, false, current);
      table[i] = cached(current);
    }
    return table;
  }

  private static Point copy(Point p) {
    Point q = new Point();
    X25519Field.copy(p.x, 0, q.x, 0);
    X25519Field.copy(p.y, 0, q.y, 0);
    X25519Field.copy(p.z, 0, q.z, 0);
    X25519Field.copy(p.t, 0, q.t, 0);
    return q;
  }

  /**
   * {@code [baseScalar]B + Σ [scalar]point}, by Straus' method: one chain of doublings shared by
   * every term, each term adding odd multiples of its point from its width-w NAF.
   */
  Point multiScalarMultiply(BigInteger baseScalar, java.util.List<Term> terms) {
    byte[] baseNaf = naf(baseScalar, BASE_WINDOW);
    byte[][] nafs = new byte[terms.size()][];
    Cached[][] tables = new Cached[terms.size()][];
    int top = highestNonZero(baseNaf);
    for (int i = 0; i < terms.size(); i++) {
      tables[i] = terms.get(i).table();
      nafs[i] = naf(terms.get(i).scalar(), Integer.numberOfTrailingZeros(tables[i].length) + 2);
      top = Math.max(top, highestNonZero(nafs[i]));
    }
    Point acc = Point.identity();
    for (int bit = top; bit >= 0; bit--) {
      dbl(acc, acc);
      int digit = baseNaf[bit];
      if (digit != 0) {
        add(acc, BASE_TABLE[Math.abs(digit) >> 1], digit < 0, acc);
      }
      for (int i = 0; i < nafs.length; i++) {
        digit = nafs[i][bit];
        if (digit != 0) {
          add(acc, tables[i][Math.abs(digit) >> 1], digit < 0, acc);
        }
      }
    }
    return acc;
  }

  private static int highestNonZero(byte[] naf) {
    for (int i = naf.length - 1; i >= 0; i--) {
      if (naf[i] != 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The width-w non-adjacent form of {@code scalar} (0 <= scalar < 2^256): digits odd and below
   * 2^(w-1) in absolute value, any two non-zero ones at least w apart, least significant first.
   */
  static byte[] naf(BigInteger scalar, int window) {
    if (scalar.signum() < 0 || scalar.bitLength() > 256) {
      throw new IllegalArgumentException("scalar out of range");
    }
    long[] limbs = new long[5];
    byte[] bytes = littleEndian(scalar);
    for (int i = 0; i < 32; i++) {
      limbs[i >> 3] |= (bytes[i] & 0xffL) << ((i & 7) << 3);
    }
    byte[] naf = new byte[257];
    int width = 1 << window;
    long mask = width - 1;
    int carry = 0;
    int pos = 0;
    while (pos < 257) {
      int limb = pos >> 6;
      int shift = pos & 63;
      long bits = limbs[limb] >>> shift;
      if (shift > 64 - window && limb + 1 < limbs.length) {
        bits |= limbs[limb + 1] << (64 - shift);
      }
      int value = carry + (int) (bits & mask);
      if ((value & 1) == 0) {
        pos++; // a zero digit here; an odd carry moves on with it
        continue;
      }
      if (value < width / 2) {
        carry = 0;
        naf[pos] = (byte) value;
      } else {
        carry = 1;
        naf[pos] = (byte) (value - width);
      }
      pos += window;
    }
    return naf;
  }

  /** 32 little-endian bytes of a non-negative value below 2^256. */
  static byte[] littleEndian(BigInteger value) {
    byte[] big = value.toByteArray(); // big-endian, perhaps with a leading sign byte
    byte[] out = new byte[32];
    for (int i = 0; i < Math.min(32, big.length); i++) {
      out[i] = big[big.length - 1 - i];
    }
    return out;
  }

  /** A BigInteger from little-endian bytes (unsigned). */
  static BigInteger fromLittleEndian(byte[] bytes, int offset, int length) {
    byte[] big = new byte[length];
    for (int i = 0; i < length; i++) {
      big[length - 1 - i] = bytes[offset + i];
    }
    return new BigInteger(1, big);
  }

  private static int[] element(BigInteger value) {
    int[] out = X25519Field.create();
    X25519Field.decode(littleEndian(value), 0, out);
    return out;
  }
}
