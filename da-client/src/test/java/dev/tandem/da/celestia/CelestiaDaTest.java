package dev.tandem.da.celestia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.da.DaException;
import dev.tandem.da.DaReceipt;
import dev.tandem.testsupport.FreePorts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CelestiaDa} against {@link FakeCelestiaNode} on a loopback socket. */
class CelestiaDaTest {
  private static final long ROLLUP = 900;
  private static final RetryPolicy FAST_RETRY =
      new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(10));
  private static final byte[] BATCH = "a Tandem batch for Celestia".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  private FakeCelestiaNode node;

  @BeforeEach
  void startNode() throws Exception {
    node = new FakeCelestiaNode();
  }

  @AfterEach
  void stopNode() {
    node.close();
  }

  private CelestiaDa.Config config(URI url, String token, double gasPrice, double maxGasPrice, Duration submitTimeout) {
    return new CelestiaDa.Config(url, token, 0x5444, gasPrice, maxGasPrice, Duration.ofSeconds(10), submitTimeout,
        FAST_RETRY, dir.resolve("journal"), 16 * 1024, 64 * 1024, 5);
  }

  private CelestiaDa.Config config() {
    return config(node.url(), FakeCelestiaNode.TOKEN, 0.004, 0.01, Duration.ofSeconds(10));
  }

  @Test
  void postsABlobAndFetchesItBackCheckedAgainstTheReceipt() throws Exception {
    try (CelestiaDa da = new CelestiaDa(config())) {
      DaReceipt receipt = da.post(ROLLUP, BATCH, new byte[] {1});
      assertThat(receipt.layer()).isEqualTo("celestia");
      assertThat(receipt.locator()).isEqualTo(101); // the fake's head was 100
      byte[] commitment = receipt.commitment();
      assertThat(commitment).hasSize(29 + 32 + 32);
      CelestiaNamespace namespace = CelestiaNamespace.of(0x5444, ROLLUP);
      assertThat(Arrays.copyOf(commitment, 29)).isEqualTo(namespace.bytes());
      assertThat(Arrays.copyOfRange(commitment, 29, 61))
          .isEqualTo(FakeCelestiaNode.standInCommitment(namespace.bytes(), BATCH));
      assertThat(da.fetch(DaReceipt.decode(receipt.encode()))).isEqualTo(BATCH);
    }
    assertThat(node.submitted()).isEqualTo(1);
    assertThat(node.authorizations()).isNotEmpty().allMatch(("Bearer " + FakeCelestiaNode.TOKEN)::equals);
  }

  @Test
  void aWrongTokenIsReportedAsAnAuthProblemAndNothingIsPosted() {
    try (CelestiaDa da = new CelestiaDa(config(node.url(), "not-the-token", 0.004, 0.01, Duration.ofSeconds(10)))) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {2}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("refused the auth token (HTTP 401)")
          .hasMessageContaining("write permission")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isFalse());
    }
    assertThat(node.authorizations()).contains("Bearer not-the-token");
    assertThat(node.submitted()).isZero();
  }

  @Test
  void unavailableAnswersAreRetriedWithBackoffThenSucceed() throws Exception {
    node.script("blob.Submit", FakeCelestiaNode.Trouble.status(503));
    node.script("blob.Submit", FakeCelestiaNode.Trouble.status(503));
    node.script("blob.GetAll", FakeCelestiaNode.Trouble.status(503));
    try (CelestiaDa da = new CelestiaDa(config())) {
      DaReceipt receipt = da.post(ROLLUP, BATCH, new byte[] {3});
      assertThat(da.fetch(receipt)).isEqualTo(BATCH);
    }
    assertThat(node.calls("blob.Submit")).isEqualTo(3);
    assertThat(node.calls("blob.GetAll")).isEqualTo(2);
    assertThat(node.submitted()).isEqualTo(1);
  }

  @Test
  void anUnreachableNodeIsRetriedABoundedNumberOfTimesAndReportedAsTransient() {
    URI nobody = URI.create("http://127.0.0.1:" + FreePorts.next());
    try (CelestiaDa da = new CelestiaDa(config(nobody, FakeCelestiaNode.TOKEN, 0.004, 0.01, Duration.ofSeconds(10)))) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {4}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("refused the connection")
          .hasMessageContaining("gave up after 4 attempts")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isTrue());
    }
  }

  @Test
  void aFixedGasPriceIsSentWithTheCapAndATooLowFeeIsReportedWithWhatToDo() throws Exception {
    node.networkMinGasPrice = 0.005;
    try (CelestiaDa da = new CelestiaDa(config(node.url(), FakeCelestiaNode.TOKEN, 0.004, 0.01, Duration.ofSeconds(10)))) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {5}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("insufficient fee")
          .hasMessageContaining("raise gasPrice")
          .hasMessageContaining("nothing was posted")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isFalse());
    }
    JsonNode options = node.submitOptions().get(0);
    assertThat(options.get("gas_price").asDouble()).isEqualTo(0.004);
    assertThat(options.get("is_gas_price_set").asBoolean()).isTrue();
    assertThat(options.get("max_gas_price").asDouble()).isEqualTo(0.01);
    assertThat(options.get("gas_price").asDouble()).isLessThanOrEqualTo(options.get("max_gas_price").asDouble());
    assertThat(node.submitted()).isZero();
  }

  @Test
  void anEstimatedPriceAboveTheCapIsRefusedAndTheSameBatchPostsAtOnceWhenFeesFall() throws Exception {
    node.estimatedGasPrice = 0.5;
    CelestiaDa.Config estimating =
        config(node.url(), FakeCelestiaNode.TOKEN, CelestiaDa.NODE_ESTIMATES_GAS_PRICE, 0.2, Duration.ofSeconds(10));
    try (CelestiaDa da = new CelestiaDa(estimating)) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {6}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("above the fee cap of 0.2 utia per gas")
          .hasMessageContaining("raise maxGasPrice")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isTrue());
      JsonNode options = node.submitOptions().get(0);
      assertThat(options.has("gas_price")).isFalse();
      assertThat(options.get("max_gas_price").asDouble()).isEqualTo(0.2);

      node.estimatedGasPrice = 0.01; // the refusal was journaled as "nothing posted": no reconcile wait
      assertThat(da.fetch(da.post(ROLLUP, BATCH, new byte[] {6}))).isEqualTo(BATCH);
    }
    assertThat(node.submitted()).isEqualTo(1);
  }

  @Test
  void aGasPriceAboveTheCapIsRejectedAtConfiguration() {
    assertThatThrownBy(() -> config(node.url(), FakeCelestiaNode.TOKEN, 0.3, 0.2, Duration.ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above the fee cap");
    assertThatThrownBy(() -> config(node.url(), FakeCelestiaNode.TOKEN, 0.1, 0, Duration.ofSeconds(10)))
        .hasMessageContaining("maxGasPrice");
    assertThatThrownBy(() -> config(node.url(), FakeCelestiaNode.TOKEN, -2, 0.2, Duration.ofSeconds(10)))
        .hasMessageContaining("-1 to let the node estimate");
    assertThatThrownBy(() -> config(URI.create("ftp://x"), FakeCelestiaNode.TOKEN, 0.1, 0.2, Duration.ofSeconds(10)))
        .hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> config(node.url(), "two words", 0.1, 0.2, Duration.ofSeconds(10)))
        .hasMessageContaining("auth token");
    assertThatThrownBy(() -> config(node.url(), FakeCelestiaNode.TOKEN, 0.1, 0.2, Duration.ZERO))
        .hasMessageContaining("submitTimeout");
  }

  @Test
  void aRestartWithTheSameJournalReturnsTheReceiptWithoutPostingAgain() throws Exception {
    DaReceipt first;
    try (CelestiaDa da = new CelestiaDa(config())) {
      first = da.post(ROLLUP, BATCH, new byte[] {7});
    }
    try (CelestiaDa restarted = new CelestiaDa(config())) {
      assertThat(restarted.post(ROLLUP, BATCH, new byte[] {7})).isEqualTo(first);
      assertThatThrownBy(() -> restarted.post(ROLLUP, "other data".getBytes(StandardCharsets.UTF_8), new byte[] {7}))
          .hasMessageContaining("already used for a different batch");
    }
    assertThat(node.calls("blob.Submit")).isEqualTo(1);
  }

  @Test
  void aSubmitWhoseAnswerWasLostIsFoundAfterARestartInsteadOfPostedAgain() throws Exception {
    node.script("blob.Submit", FakeCelestiaNode.Trouble.processThenStall(Duration.ofSeconds(3)));
    CelestiaDa.Config shortSubmit = config(node.url(), FakeCelestiaNode.TOKEN, 0.004, 0.01, Duration.ofMillis(500));
    try (CelestiaDa da = new CelestiaDa(shortSubmit)) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {8}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("may have been posted")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isTrue());
    }
    assertThat(node.submitted()).isEqualTo(1); // the node did post it
    node.mine(2);
    try (CelestiaDa restarted = new CelestiaDa(config())) {
      DaReceipt receipt = restarted.post(ROLLUP, BATCH, new byte[] {8});
      assertThat(receipt.locator()).isEqualTo(101);
      assertThat(restarted.fetch(receipt)).isEqualTo(BATCH);
    }
    assertThat(node.calls("blob.Submit")).isEqualTo(1);
    assertThat(node.submitted()).isEqualTo(1);
  }

  @Test
  void anUnconfirmedPostIsNotRepeatedUntilTheReconcileWindowHasPassed() throws Exception {
    node.script("blob.Submit", FakeCelestiaNode.Trouble.status(500)); // outcome unknown to the client
    try (CelestiaDa da = new CelestiaDa(config())) {
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {9})).hasMessageContaining("may have been posted");
      node.mine(2);
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {9}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("not posted again before height 105")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isTrue());
      assertThat(node.calls("blob.Submit")).isEqualTo(1);
      node.mine(3); // head 105: the whole window was searched
      DaReceipt receipt = da.post(ROLLUP, BATCH, new byte[] {9});
      assertThat(receipt.locator()).isEqualTo(106);
    }
    assertThat(node.submitted()).isEqualTo(1);
  }

  @Test
  void malformedAndOversizedAnswersAreRejectedClearlyAndTheClientKeepsWorking() throws Exception {
    node.script("header.LocalHead", FakeCelestiaNode.Trouble.body("this is not JSON"));
    node.script("header.LocalHead", FakeCelestiaNode.Trouble.body("{\"jsonrpc\":\"2.0\",\"id\":99999,\"result\":{}}"));
    node.script("header.LocalHead", FakeCelestiaNode.Trouble.body("{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":"
        + "{\"header\":{\"height\":\"tall\"}}}"));
    node.script("header.LocalHead", FakeCelestiaNode.Trouble.body("{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\""
        + "x".repeat(100_000) + "\"}"));
    try (CelestiaDa da = new CelestiaDa(config())) {
      assertRejected(da, "the body is not JSON");
      assertRejected(da, "does not match the request id");
      assertRejected(da, "no header.height");
      assertRejected(da, "above the 65536-byte limit");
      assertThat(node.submitted()).isZero();

      node.script("blob.Submit", FakeCelestiaNode.Trouble.body("{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":\"abc\"}"));
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {11}))
          .hasMessageContaining("is not a positive height").hasMessageContaining("may have been posted");

      DaReceipt receipt = da.post(ROLLUP, BATCH, new byte[] {12});
      assertThat(da.fetch(receipt)).isEqualTo(BATCH);
      node.script("blob.GetAll", FakeCelestiaNode.Trouble.body("{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":"
          + "[{\"namespace\":\"AAAAAAAAAAAAAA==\",\"data\":\"AA==\",\"share_version\":0,\"commitment\":\"AA==\"}]}"));
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {13})) // its GetAll answer is the bad blob
          .hasMessageContaining("a blob is invalid").hasMessageContaining("29 bytes, got 10");
    }
  }

  private static void assertRejected(CelestiaDa da, String why) {
    assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[] {10}))
        .isInstanceOf(DaException.class)
        .hasMessageContaining("header.LocalHead")
        .hasMessageContaining(why)
        .satisfies(e -> assertThat(((DaException) e).transientFailure()).isFalse());
  }

  @Test
  void fetchRefusesDataThatDoesNotMatchTheReceiptAndReportsMissingBlobs() throws Exception {
    try (CelestiaDa da = new CelestiaDa(config())) {
      DaReceipt receipt = da.post(ROLLUP, BATCH, new byte[] {14});
      node.tamper(receipt.locator(), "forged".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> da.fetch(receipt)).hasMessageContaining("does not hold the data that was posted");

      DaReceipt elsewhere = new DaReceipt("celestia", receipt.commitment(), receipt.locator() - 1);
      assertThatThrownBy(() -> da.fetch(elsewhere))
          .hasMessageContaining("blob: not found").hasMessageContaining("at height 100");
      assertThatThrownBy(() -> da.fetch(new DaReceipt("local", new byte[32], 1)))
          .hasMessageContaining("not a Celestia receipt");
    }
  }

  @Test
  void rejectsBatchesTheNodeCannotTakeBeforeContactingIt() {
    try (CelestiaDa da = new CelestiaDa(config())) {
      assertThatThrownBy(() -> da.post(ROLLUP, new byte[0], new byte[] {15})).hasMessageContaining("1 to 16384 bytes");
      assertThatThrownBy(() -> da.post(ROLLUP, new byte[16 * 1024 + 1], new byte[] {15}))
          .hasMessageContaining("split the batch");
      assertThatThrownBy(() -> da.post(ROLLUP, BATCH, new byte[0])).hasMessageContaining("empty idempotency key");
    }
    assertThat(node.calls("header.LocalHead")).isZero();
  }

  @Test
  void theJournalIsExclusiveSurvivesATornLineAndRefusesACorruptOne() throws Exception {
    try (CelestiaDa da = new CelestiaDa(config())) {
      da.post(ROLLUP, BATCH, new byte[] {16});
      assertThatThrownBy(() -> new CelestiaDa(config())).hasMessageContaining("in use by another client");
    }
    Path journal = dir.resolve("journal").resolve(PostJournal.FILE_NAME);
    Files.writeString(journal, "start 11 900 ab", java.nio.file.StandardOpenOption.APPEND); // crash mid-write
    try (CelestiaDa da = new CelestiaDa(config())) {
      assertThat(da.post(ROLLUP, BATCH, new byte[] {16}).locator()).isEqualTo(101);
    }
    assertThat(Files.readString(journal)).endsWith("\n").doesNotContain("start 11 ");
    Files.writeString(journal, "posted 12 zz\n", java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> new CelestiaDa(config()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("line 4 is malformed");
    assertThat(node.submitted()).isEqualTo(1);
  }
}
