package dev.tandem.bench.crypto;

import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling on ingestion: one Ed25519 verification per transaction. Compares Bouncy Castle
 * (Tandem's path, the key kept decoded) with Bouncy Castle from the key's bytes and the JDK's EdDSA provider, and measures full admission decoding
 * (decode + id hash + verify) of a 256-byte-payload transaction against the bare verify.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class SignatureBench {
  private byte[] message;
  private KeyPair key;
  private byte[] signature;
  private byte[] publicKeyBytes;
  private byte[] seed;
  private byte[] encodedTx;
  private java.security.KeyPair jdkKey;
  private byte[] jdkSignature;

  @Setup
  public void setup() throws Exception {
    Random random = new Random(1);
    message = new byte[32];
    random.nextBytes(message);
    key = KeyPair.generate(random);
    signature = key.sign(message);
    publicKeyBytes = key.publicKey().toBytes();
    seed = key.seed();
    byte[] payload = new byte[256];
    random.nextBytes(payload);
    encodedTx = Transaction.sign(1, Namespace.of(900), 1, 1000, payload, key).encode();
    jdkKey = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(jdkKey.getPrivate());
    signer.update(message);
    jdkSignature = signer.sign();
  }

  /** Tandem's path: Bouncy Castle with the sender's key kept decoded between verifications. */
  @Benchmark
  public boolean bouncyCastleVerify() {
    return key.publicKey().verify(message, signature);
  }

  /** Bouncy Castle from the key's bytes, decoding the key every time (Tandem's path before 2026-12-02). */
  @Benchmark
  public boolean bouncyCastleVerifyFromKeyBytes() {
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKeyBytes, 0, message, 0,
        message.length);
  }

  /** Tandem's signing path: Bouncy Castle given the key pair's public key. */
  @Benchmark
  public byte[] bouncyCastleSign() {
    return key.sign(message);
  }

  /** Bouncy Castle deriving the public key from the seed on every signature (Tandem's path before 2026-12-02 04:10 UTC). */
  @Benchmark
  public byte[] bouncyCastleSignDerivingTheKey() {
    byte[] out = new byte[64];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, message, 0, message.length, out, 0);
    return out;
  }

  @Benchmark
  public boolean jdkVerify() throws Exception {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(jdkKey.getPublic());
    verifier.update(message);
    return verifier.verify(jdkSignature);
  }

  @Benchmark
  public boolean decodeAndVerifyTransaction() {
    return Transaction.decode(encodedTx).hasValidSignature();
  }
}
