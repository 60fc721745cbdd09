package dev.tandem.bench.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SignedPayloadsTest {
  @Test
  void preparedTransactionsComeOutInOrderAndUnsentOnesGiveTheirNoncesBack() {
    SignedPayloads signer = new SignedPayloads(new Random(1));
    List<byte[]> first = payloads(600);
    signer.prepare(first);
    List<SignedPayloads.Signed> sent = new ArrayList<>();
    for (byte[] payload : first.subList(0, 400)) {
      SignedPayloads.Signed signed = signer.sign(payload);
      assertThat(signed.payload()).isSameAs(payload);
      assertThat(signed.tx().hasValidSignature()).isTrue();
      sent.add(signed);
    }
    signer.prepare(payloads(10)); // drops the 200 prepared and never sent
    for (byte[] payload : payloads(300)) {
      sent.add(signer.sign(payload)); // not prepared: signed at once, after the 10 are dropped too
    }

    Map<Integer, Long> expectedNonce = new HashMap<>();
    for (SignedPayloads.Signed signed : sent) {
      long expected = expectedNonce.getOrDefault(signed.sender(), 0L);
      assertThat(signed.tx().nonce()).as("sender %d", signed.sender()).isEqualTo(expected);
      expectedNonce.put(signed.sender(), expected + 1);
    }
  }

  private static List<byte[]> payloads(int count) {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      payloads.add(new byte[] {(byte) i, (byte) (i >> 8)});
    }
    return payloads;
  }
}
