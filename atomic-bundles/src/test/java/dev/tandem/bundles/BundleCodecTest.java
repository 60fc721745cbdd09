package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.CanonicalWriter;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundleCodecTest {
  private final Bundle bundle = threeLegBundle(11);

  @Test
  void bundleRoundTripsByteForByte() {
    byte[] encoded = bundle.encode();
    Bundle decoded = BundleCodec.decodeBundle(encoded);
    assertThat(decoded).isEqualTo(bundle);
    assertThat(decoded.encode()).isEqualTo(encoded);
    assertThat(decoded.key()).isEqualTo(BundleKeys.key(SIGNER.publicKey(), bundle.replacementId()));
    assertThat(decoded.verifySignatures().valid()).isTrue();
    assertThat(BundleCodec.decodeBundleHex(bundle.toHex())).isEqualTo(bundle);
    assertThat(decoded.legs()).extracting(Transaction::namespace).containsExactly(NS_A, NS_B, NS_A);
    assertThat(decoded.totalFee()).isEqualTo(25);
  }

  @Test
  void manifestRoundTrips() {
    Manifest manifest = bundle.manifest().manifest();
    assertThat(BundleCodec.decodeManifest(manifest.encode())).isEqualTo(manifest);
  }

  @Test
  void cancelRoundTripsAndChecksItsSignature() {
    CancelRequest cancel = CancelRequest.sign(CHAIN, bundle.replacementId(), 3, SIGNER);
    CancelRequest decoded = BundleCodec.decodeCancel(cancel.encode());
    assertThat(decoded).isEqualTo(cancel);
    assertThat(decoded.hasValidSignature()).isTrue();
    assertThat(decoded.bundleKey()).isEqualTo(bundle.key());
    CancelRequest otherChain = new CancelRequest(CHAIN + 1, SIGNER.publicKey(), bundle.replacementId(), 3,
        cancel.signature());
    assertThat(otherChain.hasValidSignature()).isFalse();
    CancelRequest forged = new CancelRequest(CHAIN, ALICE.publicKey(), bundle.replacementId(), 3, cancel.signature());
    assertThat(forged.hasValidSignature()).isFalse();
  }

  @Test
  void everyTruncationIsRejectedWithAReason() {
    byte[] encoded = bundle.encode();
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> BundleCodec.decodeBundle(truncated)).isInstanceOf(DecodingException.class)
          .hasMessageNotContaining("null");
    }
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] encoded = Arrays.copyOf(bundle.encode(), bundle.encode().length + 1);
    assertThatThrownBy(() -> BundleCodec.decodeBundle(encoded)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void randomByteFlipsNeverEscapeAsAnythingButDecodingException() {
    byte[] encoded = bundle.encode();
    Random random = new Random(99);
    int decodedDifferently = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] mutated = encoded.clone();
      mutated[random.nextInt(mutated.length)] ^= (byte) (1 + random.nextInt(255));
      try {
        Bundle decoded = BundleCodec.decodeBundle(mutated);
        // A flip inside a payload or signature still decodes; the signatures must then fail.
        assertThat(decoded.verifySignatures().valid()).isFalse();
        decodedDifferently++;
      } catch (DecodingException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      }
    }
    assertThat(decodedDifferently).isLessThan(2000);
  }

  @Test
  void versionAndLegCountAreChecked() {
    byte[] encoded = bundle.encode();
    byte[] badVersion = encoded.clone();
    badVersion[0] = 2;
    assertThatThrownBy(() -> BundleCodec.decodeBundle(badVersion)).hasMessageContaining("unsupported bundle version");

    CanonicalWriter tooMany = new CanonicalWriter().u8(1);
    bundle.manifestTransaction().writeTo(tooMany);
    tooMany.u32(Manifest.MAX_LEGS + 1);
    assertThatThrownBy(() -> BundleCodec.decodeBundle(tooMany.toByteArray())).isInstanceOf(DecodingException.class)
        .hasMessageContaining("exceeds the limit");

    CanonicalWriter lyingCount = new CanonicalWriter().u8(1);
    bundle.manifestTransaction().writeTo(lyingCount);
    lyingCount.u32(5);
    assertThatThrownBy(() -> BundleCodec.decodeBundle(lyingCount.toByteArray())).hasMessageContaining("truncated");

    assertThatThrownBy(() -> BundleCodec.decodeBundle(new byte[BundleCodec.MAX_BUNDLE_BYTES + 1]))
        .hasMessageContaining("exceeds");
  }

  @Test
  void legsThatDoNotMatchTheManifestAreRejected() {
    List<Transaction> legs = new ArrayList<>(bundle.legs());
    // Reordered legs.
    List<Transaction> swapped = new ArrayList<>(legs);
    swapped.set(0, legs.get(2));
    swapped.set(2, legs.get(0));
    assertThatThrownBy(() -> Bundle.of(bundle.manifestTransaction(), swapped)).hasMessageContaining("manifest lists");
    // A leg missing.
    assertThatThrownBy(() -> Bundle.of(bundle.manifestTransaction(), legs.subList(0, 2)))
        .hasMessageContaining("lists 3 legs");
    // A leg bound to another bundle.
    Transaction foreign = threeLegBundle(12).legs().get(0);
    List<Transaction> withForeign = new ArrayList<>(legs);
    withForeign.set(0, foreign);
    assertThatThrownBy(() -> Bundle.of(bundle.manifestTransaction(), withForeign)).hasMessageContaining("not bound");
    // A plain transaction as a leg.
    List<Transaction> withPlain = new ArrayList<>(legs);
    withPlain.set(1, plain(NS_B, ALICE, 1, 5, "plain"));
    assertThatThrownBy(() -> Bundle.of(bundle.manifestTransaction(), withPlain)).hasMessageContaining("not bound");
  }

  @Test
  void manifestTransactionRulesAreChecked() {
    byte[] manifestPayload = bundle.manifest().manifest().encode();
    Transaction wrongNamespace = Transaction.sign(CHAIN, NS_A, 0, 0, manifestPayload, SIGNER);
    assertThatThrownBy(() -> SignedManifest.parse(wrongNamespace)).hasMessageContaining("system namespace");
    Transaction wrongNonce = Transaction.sign(CHAIN, Namespace.SYSTEM, 4, 0, manifestPayload, SIGNER);
    assertThatThrownBy(() -> SignedManifest.parse(wrongNonce)).hasMessageContaining("nonce");
    Transaction wrongSigner = Transaction.sign(CHAIN, Namespace.SYSTEM, 0, 0, manifestPayload, ALICE);
    assertThatThrownBy(() -> SignedManifest.parse(wrongSigner)).hasMessageContaining("signer and replacement id");
    Transaction garbage = Transaction.sign(CHAIN, Namespace.SYSTEM, 0, 0, new byte[] {1, 2, 3}, SIGNER);
    assertThatThrownBy(() -> SignedManifest.parse(garbage)).isInstanceOf(DecodingException.class);
  }

  @Test
  void manifestDecoderRejectsBadFields() {
    Manifest manifest = bundle.manifest().manifest();
    byte[] encoded = manifest.encode();
    // Window with earliest after latest: earliest height sits after version, key, id and revision.
    byte[] badWindow = encoded.clone();
    int earliestHeightOffset = 1 + 32 + 32 + 8;
    badWindow[earliestHeightOffset] = 0x7f;
    assertThatThrownBy(() -> BundleCodec.decodeManifest(badWindow)).hasMessageContaining("invalid manifest");
    // No latest bound at all.
    Manifest open = new Manifest(manifest.bundleKey(), manifest.replacementId(), 0, BundleWindow.heights(0, 5),
        manifest.legs());
    byte[] openEncoded = open.encode();
    for (int i = 0; i < 8; i++) {
      openEncoded[1 + 32 + 32 + 8 + 8 + i] = (byte) (i == 0 ? 0x7f : 0xff);
    }
    assertThatThrownBy(() -> BundleCodec.decodeManifest(openEncoded)).hasMessageContaining("latest height or a latest time");
    // Zero legs and duplicate legs.
    CanonicalWriter noLegs = new CanonicalWriter().fixed(Arrays.copyOf(encoded, 1 + 32 + 32 + 8 * 5)).u32(0);
    assertThatThrownBy(() -> BundleCodec.decodeManifest(noLegs.toByteArray())).hasMessageContaining("1 to 16 legs");
    Hash id = manifest.legs().get(0).txId();
    CanonicalWriter duplicate = new CanonicalWriter().fixed(Arrays.copyOf(encoded, 1 + 32 + 32 + 8 * 5)).u32(2)
        .u64(10).hash(id).u64(10).hash(id);
    assertThatThrownBy(() -> BundleCodec.decodeManifest(duplicate.toByteArray())).hasMessageContaining("twice");
    CanonicalWriter systemLeg = new CanonicalWriter().fixed(Arrays.copyOf(encoded, 1 + 32 + 32 + 8 * 5)).u32(1)
        .u64(0).hash(id);
    assertThatThrownBy(() -> BundleCodec.decodeManifest(systemLeg.toByteArray())).hasMessageContaining("reserved");
  }

  @Test
  void cancelDecoderIsStrict() {
    byte[] encoded = CancelRequest.sign(CHAIN, bundle.replacementId(), 0, SIGNER).encode();
    assertThatThrownBy(() -> BundleCodec.decodeCancel(Arrays.copyOf(encoded, encoded.length - 1)))
        .hasMessageContaining("a cancel is");
    byte[] badVersion = encoded.clone();
    badVersion[0] = 9;
    assertThatThrownBy(() -> BundleCodec.decodeCancel(badVersion)).hasMessageContaining("unsupported cancel version");
    assertThatThrownBy(() -> BundleCodec.decodeCancelHex("0xzz")).isInstanceOf(DecodingException.class);
  }

  @Test
  void builderFixesTheKeyBeforeLegsAreSigned() {
    BundleBuilder builder = BundleBuilder.create(CHAIN, SIGNER, new Random(3)).window(BundleWindow.times(0, 5000));
    Hash key = builder.bundleKey();
    // The counterparty signs its leg elsewhere, knowing only the key.
    Transaction bobsLeg = Transaction.signBundleLeg(CHAIN, key, NS_B, 9, 1, payload("bob"), BOB);
    Bundle built = builder.addLeg(NS_A, payload("alice"), ALICE, 3, 1).addSignedLeg(bobsLeg).build();
    assertThat(built.key()).isEqualTo(key);
    assertThat(built.legs().get(1)).isEqualTo(bobsLeg);
    assertThat(built.verifySignatures().valid()).isTrue();
    assertThatThrownBy(() -> builder.replacementId(Hash.ZERO)).isInstanceOf(IllegalStateException.class);
    Transaction stranger = Transaction.signBundleLeg(CHAIN, Hash.ZERO, NS_B, 9, 1, payload("x"), BOB);
    assertThatThrownBy(() -> builder.addSignedLeg(stranger)).hasMessageContaining("not bound");
  }

  @Test
  void explicitReplacementIdGivesTheSameKeyAcrossRevisions() {
    Hash id = Hash.of(new byte[32]);
    Bundle first = BundleBuilder.create(CHAIN, SIGNER).replacementId(id).window(BundleWindow.heights(1, 9))
        .addLeg(NS_A, payload("v0"), ALICE, 0, 1).build();
    Bundle second = BundleBuilder.create(CHAIN, SIGNER).replacementId(id).revision(1)
        .window(BundleWindow.heights(1, 9)).addLeg(NS_A, payload("v1"), ALICE, 0, 2).build();
    assertThat(second.key()).isEqualTo(first.key());
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.revision()).isEqualTo(1);
  }
}
