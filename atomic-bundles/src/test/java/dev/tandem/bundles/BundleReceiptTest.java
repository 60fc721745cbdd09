package dev.tandem.bundles;

import static dev.tandem.bundles.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.core.Block;
import dev.tandem.core.BlockHeader;
import dev.tandem.core.DecodingException;
import dev.tandem.core.Hash;
import dev.tandem.core.Namespace;
import dev.tandem.core.NamespaceSlice;
import dev.tandem.core.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BundleReceiptTest {
  private final Bundle bundle = threeLegBundle(31);
  private final Bundle other = BundleBuilder.create(CHAIN, BOB, new Random(32)).window(BundleWindow.heights(1, 50))
      .addLeg(NS_A, payload("other"), BOB, 7, 1).build();
  private final Block block;

  BundleReceiptTest() {
    List<Transaction> order = new ArrayList<>();
    order.add(plain(NS_A, BOB, 3, 1, "before"));
    order.addAll(other.transactions());
    order.addAll(bundle.transactions());
    order.add(plain(NS_B, BOB, 4, 1, "after"));
    block = block(9, 2000, order);
    assertThat(BundleRules.checkBlock(block, IncludedBundleIndex.NONE).valid()).isTrue();
  }

  @Test
  void everyLegsReceiptVerifiesAndNamesTheOtherLegs() {
    List<BundleReceipt> receipts = BundleReceipt.forBundle(block, bundle.key());
    assertThat(receipts).hasSize(3);
    for (int i = 0; i < 3; i++) {
      BundleReceipt receipt = receipts.get(i);
      assertThat(receipt.verify(block.header()).reason()).isEqualTo("valid");
      assertThat(receipt.leg()).isEqualTo(bundle.legs().get(i));
      assertThat(receipt.otherLegs()).hasSize(2).doesNotContain(new LegRef(receipt.leg().namespace(), receipt.leg().id()));
      assertThat(receipt.manifest().bundleId()).isEqualTo(bundle.id());
    }
    assertThat(receipts.get(1).legSlice().namespace()).isEqualTo(NS_B);
  }

  @Test
  void receiptsRoundTripThroughTheirEncoding() {
    for (BundleReceipt receipt : BundleReceipt.forBundle(block, bundle.key())) {
      BundleReceipt decoded = BundleCodec.decodeReceipt(receipt.encode());
      assertThat(decoded.encode()).isEqualTo(receipt.encode());
      assertThat(decoded.verify(block.header()).valid()).isTrue();
    }
    byte[] encoded = BundleReceipt.forBundle(block, bundle.key()).get(0).encode();
    for (int length = 0; length < encoded.length; length += 7) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> BundleCodec.decodeReceipt(truncated)).isInstanceOf(DecodingException.class);
    }
    assertThatThrownBy(() -> BundleCodec.decodeReceipt(Arrays.copyOf(encoded, encoded.length + 1)))
        .hasMessageContaining("trailing");
  }

  @Test
  void aBlockWithoutTheBundleGivesNoReceipts() {
    Block empty = block(9, 2000, List.of(plain(NS_A, BOB, 3, 1, "x")));
    assertThatThrownBy(() -> BundleReceipt.forBundle(empty, bundle.key())).hasMessageContaining("does not include");
  }

  @Test
  void aReceiptFailsAgainstAnotherHeader() {
    BundleReceipt receipt = BundleReceipt.forBundle(block, bundle.key()).get(0);
    Block otherBlock = block(9, 2000, bundle.transactions());
    assertThat(receipt.verify(otherBlock.header()).valid()).isFalse();
    BlockHeader h = block.header();
    BlockHeader laterTime = new BlockHeader(h.chainId(), h.height() + 1, h.parentHash(), h.timestampMillis(),
        h.proposer(), h.namespaceRoot(), h.txCount());
    assertThat(receipt.verify(laterTime).reason()).contains("height");
  }

  @Test
  void tamperedSlicesAreRejected() {
    BundleReceipt receipt = BundleReceipt.forBundle(block, bundle.key()).get(0);
    NamespaceSlice legSlice = receipt.legSlice();
    // A leg dropped from the slice.
    List<Transaction> dropped = new ArrayList<>(legSlice.transactions());
    dropped.remove(bundle.legs().get(2));
    assertThat(new BundleReceipt(bundle.key(), 0, new NamespaceSlice(9, NS_A, dropped, legSlice.proof()),
        receipt.systemSlice()).verify(block.header()).valid()).isFalse();
    // Legs swapped.
    List<Transaction> swapped = new ArrayList<>(legSlice.transactions());
    int i = swapped.indexOf(bundle.legs().get(0));
    int j = swapped.indexOf(bundle.legs().get(2));
    swapped.set(i, bundle.legs().get(2));
    swapped.set(j, bundle.legs().get(0));
    assertThat(new BundleReceipt(bundle.key(), 0, new NamespaceSlice(9, NS_A, swapped, legSlice.proof()),
        receipt.systemSlice()).verify(block.header()).reason()).contains("leg slice");
    // The manifest removed from the system slice.
    NamespaceSlice system = receipt.systemSlice();
    List<Transaction> noManifest = new ArrayList<>(system.transactions());
    noManifest.remove(bundle.manifestTransaction());
    assertThat(new BundleReceipt(bundle.key(), 0, new NamespaceSlice(9, Namespace.SYSTEM, noManifest, system.proof()),
        receipt.legSlice()).verify(block.header()).valid()).isFalse();
    // The leg's slice given for another namespace, or a wrong leg index.
    assertThat(new BundleReceipt(bundle.key(), 1, legSlice, system).verify(block.header()).reason())
        .contains("slice is for");
    assertThat(new BundleReceipt(bundle.key(), 5, legSlice, system).verify(block.header()).reason())
        .contains("has 3 legs");
    // Slices swapped.
    assertThat(new BundleReceipt(bundle.key(), 0, system, legSlice).verify(block.header()).reason())
        .contains("not the system one");
    // Another bundle's key.
    assertThat(new BundleReceipt(Hash.ZERO, 0, legSlice, system).verify(block.header()).reason())
        .contains("no manifest");
  }

  @Test
  void aReceiptForAnInvalidBlockShowsTheBrokenContiguity() {
    // A Byzantine block that interleaves a plain tx between the legs: the receipt does not verify.
    Transaction wedge = plain(NS_A, BOB, 3, 1, "wedge");
    List<Transaction> bad = List.of(bundle.manifestTransaction(), bundle.legs().get(0), wedge, bundle.legs().get(1),
        bundle.legs().get(2));
    Block byzantine = block(9, 2000, bad);
    BundleReceipt receipt = BundleReceipt.forBundle(byzantine, bundle.key()).get(0);
    assertThat(receipt.verify(byzantine.header()).reason()).contains("not adjacent");
  }
}
