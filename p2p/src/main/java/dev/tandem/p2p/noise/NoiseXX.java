package dev.tandem.p2p.noise;

import dev.tandem.p2p.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The Noise_XX_25519_ChaChaPoly_SHA256 handshake (empty prologue), as libp2p-noise uses it:
 * {@code -> e; <- e, ee, s, es; -> s, se}. Pure state machine: callers frame and transport the
 * messages. Methods must be called in the order of the pattern for the role.
 */
public final class NoiseXX {
  private static final byte[] PROTOCOL_NAME =
      "Noise_XX_25519_ChaChaPoly_SHA256".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int DH_LEN = 32;

  private final boolean initiator;
  private final byte[] staticPrivate;
  private final byte[] staticPublic;
  private final byte[] ephemeralPrivate = new byte[DH_LEN];
  private final byte[] ephemeralPublic = new byte[DH_LEN];
  private byte[] remoteEphemeral;
  private byte[] remoteStatic;

  private byte[] ck;
  private byte[] h;
  private CipherState cipher;

  /** The two transport ciphers after the handshake. */
  public record Split(CipherState send, CipherState receive) {}

  public NoiseXX(boolean initiator, byte[] staticPrivate) {
    this.initiator = initiator;
    this.staticPrivate = staticPrivate.clone();
    this.staticPublic = new byte[DH_LEN];
    X25519.generatePublicKey(staticPrivate, 0, staticPublic, 0);
    X25519.generatePrivateKey(RANDOM, ephemeralPrivate);
    X25519.generatePublicKey(ephemeralPrivate, 0, ephemeralPublic, 0);
    h = PROTOCOL_NAME.clone(); // exactly HASHLEN bytes, so used as is
    ck = h.clone();
    mixHash(new byte[0]); // empty prologue
  }

  public static byte[] generateStaticKey() {
    byte[] k = new byte[DH_LEN];
    X25519.generatePrivateKey(RANDOM, k);
    return k;
  }

  public byte[] staticPublicKey() {
    return staticPublic.clone();
  }

  public byte[] remoteStaticKey() {
    return remoteStatic.clone();
  }

  /** Initiator, message A: {@code e} and the (unencrypted, usually empty) payload. */
  public byte[] writeMessageA(byte[] payload) {
    requireRole(true);
    mixHash(ephemeralPublic);
    return concat(ephemeralPublic, encryptAndHash(payload));
  }

  /** Responder, message A. Returns the payload. */
  public byte[] readMessageA(byte[] message) {
    requireRole(false);
    if (message.length < DH_LEN) {
      throw new WireException("noise message A too short: " + message.length);
    }
    remoteEphemeral = Arrays.copyOf(message, DH_LEN);
    mixHash(remoteEphemeral);
    return decryptAndHash(Arrays.copyOfRange(message, DH_LEN, message.length));
  }

  /** Responder, message B: {@code e, ee, s, es} and the encrypted payload. */
  public byte[] writeMessageB(byte[] payload) {
    requireRole(false);
    mixHash(ephemeralPublic);
    mixKey(dh(ephemeralPrivate, remoteEphemeral));
    byte[] s = encryptAndHash(staticPublic);
    mixKey(dh(staticPrivate, remoteEphemeral));
    return concat(ephemeralPublic, concat(s, encryptAndHash(payload)));
  }

  /** Initiator, message B. Returns the decrypted payload; the remote static key is then known. */
  public byte[] readMessageB(byte[] message) {
    requireRole(true);
    int min = DH_LEN + DH_LEN + CipherState.TAG_LENGTH + CipherState.TAG_LENGTH;
    if (message.length < min) {
      throw new WireException("noise message B too short: " + message.length);
    }
    remoteEphemeral = Arrays.copyOf(message, DH_LEN);
    mixHash(remoteEphemeral);
    mixKey(dh(ephemeralPrivate, remoteEphemeral));
    int sEnd = DH_LEN + DH_LEN + CipherState.TAG_LENGTH;
    remoteStatic = decryptAndHash(Arrays.copyOfRange(message, DH_LEN, sEnd));
    mixKey(dh(ephemeralPrivate, remoteStatic));
    return decryptAndHash(Arrays.copyOfRange(message, sEnd, message.length));
  }

  /** Initiator, message C: {@code s, se} and the encrypted payload. */
  public byte[] writeMessageC(byte[] payload) {
    requireRole(true);
    byte[] s = encryptAndHash(staticPublic);
    mixKey(dh(staticPrivate, remoteEphemeral));
    return concat(s, encryptAndHash(payload));
  }

  /** Responder, message C. Returns the decrypted payload. */
  public byte[] readMessageC(byte[] message) {
    requireRole(false);
    int sEnd = DH_LEN + CipherState.TAG_LENGTH;
    if (message.length < sEnd + CipherState.TAG_LENGTH) {
      throw new WireException("noise message C too short: " + message.length);
    }
    remoteStatic = decryptAndHash(Arrays.copyOf(message, sEnd));
    mixKey(dh(ephemeralPrivate, remoteStatic));
    return decryptAndHash(Arrays.copyOfRange(message, sEnd, message.length));
  }

  /** The transport ciphers: the initiator sends with the first key, the responder with the second. */
  public Split split() {
    byte[][] keys = hkdf(ck, new byte[0]);
    CipherState c1 = new CipherState(keys[0]);
    CipherState c2 = new CipherState(keys[1]);
    return initiator ? new Split(c1, c2) : new Split(c2, c1);
  }

  private void requireRole(boolean wantInitiator) {
    if (initiator != wantInitiator) {
      throw new IllegalStateException("wrong noise role for this message");
    }
  }

  private void mixHash(byte[] data) {
    SHA256Digest d = new SHA256Digest();
    d.update(h, 0, h.length);
    d.update(data, 0, data.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    h = out;
  }

  private void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cipher = new CipherState(out[1]);
  }

  private byte[] encryptAndHash(byte[] plaintext) {
    byte[] ct = cipher == null ? plaintext : cipher.encrypt(h, plaintext, 0, plaintext.length);
    mixHash(ct);
    return ct;
  }

  private byte[] decryptAndHash(byte[] ciphertext) {
    byte[] pt = cipher == null ? ciphertext : cipher.decrypt(h, ciphertext, 0, ciphertext.length);
    mixHash(ciphertext);
    return pt;
  }

  private static byte[] dh(byte[] priv, byte[] pub) {
    byte[] out = new byte[DH_LEN];
    if (!X25519.calculateAgreement(priv, 0, pub, 0, out, 0)) {
      throw new WireException("noise: low-order X25519 public key");
    }
    return out;
  }

  private static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] temp = hmac(chainingKey, ikm);
    byte[] out1 = hmac(temp, new byte[] {1});
    byte[] out2 = hmac(temp, concat(out1, new byte[] {2}));
    return new byte[][] {out1, out2};
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    HMac mac = new HMac(new SHA256Digest());
    mac.init(new KeyParameter(key));
    mac.update(data, 0, data.length);
    byte[] out = new byte[32];
    mac.doFinal(out, 0);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
