package dev.tandem.bft.quorum;

import dev.tandem.core.CanonicalReader;
import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.Ed25519;
import dev.tandem.core.PublicKey;
import java.util.Arrays;
import java.util.Objects;

/** One signer's Ed25519 signature. Immutable. Encoding: {@code bytes32 signer, bytes64 signature}. */
public final class Signature {
  public static final int ENCODED_LENGTH = PublicKey.LENGTH + Ed25519.SIGNATURE_LENGTH;

  private final PublicKey signer;
  private final byte[] bytes;

  public Signature(PublicKey signer, byte[] bytes) {
    this.signer = Objects.requireNonNull(signer, "signer");
    if (bytes.length != Ed25519.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("signature must be 64 bytes, got " + bytes.length);
    }
    this.bytes = bytes.clone();
  }

  public PublicKey signer() {
    return signer;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public boolean verify(byte[] message) {
    return signer.verify(message, bytes);
  }

  public void writeTo(CanonicalWriter writer) {
    writer.fixed(signer.toBytes()).fixed(bytes);
  }

  public static Signature read(CanonicalReader reader) {
    PublicKey signer = PublicKey.of(reader.fixed(PublicKey.LENGTH, "signer"));
    return new Signature(signer, reader.fixed(Ed25519.SIGNATURE_LENGTH, "signature"));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Signature && signer.equals(((Signature) other).signer)
        && Arrays.equals(bytes, ((Signature) other).bytes);
  }

  @Override
  public int hashCode() {
    return signer.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Signature(" + signer + ")";
  }
}
