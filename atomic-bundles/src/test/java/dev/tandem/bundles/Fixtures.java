package dev.tandem.bundles;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.util.List;
import java.util.Random;

/** Deterministic keys, bundles and blocks for the tests. */
final class Fixtures {
  static final long CHAIN = 7;
  static final Namespace NS_A = Namespace.of(10);
  static final Namespace NS_B = Namespace.of(20);
  static final Namespace NS_C = Namespace.of(30);
  static final KeyPair SIGNER = KeyPair.generate(new Random(1));
  static final KeyPair ALICE = KeyPair.generate(new Random(2));
  static final KeyPair BOB = KeyPair.generate(new Random(3));
  static final KeyPair PROPOSER = KeyPair.generate(new Random(4));

  private Fixtures() {}

  static byte[] payload(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Two legs in A (alice 0, bob 0) and one in B (alice 1), window heights [1, 100]. */
  static Bundle threeLegBundle(long seed) {
    return BundleBuilder.create(CHAIN, SIGNER, new Random(seed))
        .window(BundleWindow.heights(1, 100))
        .manifestFee(10)
        .addLeg(NS_A, payload("a1-" + seed), ALICE, 0, 5)
        .addLeg(NS_B, payload("b1-" + seed), ALICE, 1, 5)
        .addLeg(NS_A, payload("a2-" + seed), BOB, 0, 5)
        .build();
  }

  static Transaction plain(Namespace ns, KeyPair sender, long nonce, long fee, String text) {
    return Transaction.sign(CHAIN, ns, nonce, fee, payload(text), sender);
  }

  static Block block(long height, long timestamp, List<Transaction> proposalOrder) {
    return Block.build(CHAIN, height, Hash.ZERO, timestamp, PROPOSER.publicKey(), proposalOrder);
  }
}
