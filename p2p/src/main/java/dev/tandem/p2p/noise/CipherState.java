package dev.tandem.p2p.noise;

import dev.tandem.p2p.wire.WireException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** Noise CipherState for ChaChaPoly: a key and a 64-bit counter nonce (little-endian, after 4 zero bytes). */
public final class CipherState {
  public static final int TAG_LENGTH = 16;

  private final KeyParameter key;
  private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
  private final byte[] nonceBytes = new byte[12];
  private long nonce;

  public CipherState(byte[] key) {
    this.key = new KeyParameter(key.clone());
  }

  public byte[] encrypt(byte[] ad, byte[] plaintext, int off, int len) {
    aead.init(true, params(ad));
    byte[] out = new byte[len + TAG_LENGTH];
    int n = aead.processBytes(plaintext, off, len, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** Decrypts and authenticates; throws {@link WireException} when the tag does not verify. */
  public byte[] decrypt(byte[] ad, byte[] ciphertext, int off, int len) {
    if (len < TAG_LENGTH) {
      throw new WireException("noise ciphertext shorter than its tag");
    }
    aead.init(false, params(ad));
    byte[] out = new byte[len - TAG_LENGTH];
    int n = aead.processBytes(ciphertext, off, len, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new WireException("noise message failed authentication");
    }
    return out;
  }

  private AEADParameters params(byte[] ad) {
    if (nonce == -1L) {
      throw new WireException("noise nonce exhausted");
    }
    long n = nonce++;
    for (int i = 0; i < 8; i++) {
      nonceBytes[4 + i] = (byte) (n >>> (8 * i));
    }
    return new AEADParameters(key, TAG_LENGTH * 8, nonceBytes.clone(), ad);
  }
}
