package dev.tandem.da.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.da.DaException;
import dev.tandem.da.DaReceipt;
import dev.tandem.testsupport.AnvilProcess;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/** Against a real anvil (Prague: blob transactions), started on a free loopback port. */
class EthereumDaTest {
  private static final long CHAIN_ID = 31337;
  private static final String INBOX = "0x0031e396976d1d09fba39348dc2bacc5eeba6be6";
  private static AnvilProcess anvil;

  @BeforeAll
  static void startAnvil() {
    anvil = AnvilProcess.start(CHAIN_ID);
  }

  @AfterAll
  static void stopAnvil() {
    anvil.close();
  }

  private static EthereumDa.Config config(EthereumDa.Mode mode, Path journal, BigInteger feeCap) {
    return new EthereumDa.Config(anvil.rpcUrl(), CHAIN_ID, AnvilProcess.DEV_PRIVATE_KEY, INBOX, mode, feeCap,
        BigInteger.valueOf(1_000_000_000L), BigInteger.valueOf(100_000_000_000L), Duration.ofSeconds(30), journal);
  }

  private static final BigInteger GENEROUS = BigInteger.valueOf(200_000_000_000L);

  @Test
  void postsBlobsAndReadsThemBackAgainstTheVersionedHashes(@TempDir Path dir) throws Exception {
    byte[] data = new byte[200_000]; // two blobs
    new Random(3).nextBytes(data);
    try (EthereumDa da = new EthereumDa(config(EthereumDa.Mode.BLOBS, dir.resolve("journal"), GENEROUS))) {
      DaReceipt receipt = da.post(900, data, new byte[] {1});
      assertThat(receipt.layer()).isEqualTo("eth-blob");
      assertThat(receipt.commitment()).hasSize(32 * 3);
      assertThat(receipt.commitment()[32]).isEqualTo((byte) 0x01); // versioned hash version byte
      assertThat(da.fetch(DaReceipt.decode(receipt.encode()))).isEqualTo(data);
    }
  }

  @Test
  void postsCalldataToTheInbox(@TempDir Path dir) throws Exception {
    byte[] data = "a generic batch".getBytes(StandardCharsets.UTF_8);
    try (EthereumDa da = new EthereumDa(config(EthereumDa.Mode.CALLDATA, dir.resolve("journal"), GENEROUS))) {
      DaReceipt receipt = da.post(900, data, new byte[] {2});
      assertThat(receipt.layer()).isEqualTo("eth-calldata");
      assertThat(da.fetch(receipt)).isEqualTo(data);
    }
  }

  @Test
  void aRestartReusesTheJournaledTransactionInsteadOfPostingTwice(@TempDir Path dir) throws Exception {
    Web3j web3 = Web3j.build(new HttpService(anvil.rpcUrl()));
    byte[] data = "once only".getBytes(StandardCharsets.UTF_8);
    DaReceipt first;
    try (EthereumDa da = new EthereumDa(config(EthereumDa.Mode.BLOBS, dir.resolve("journal"), GENEROUS))) {
      first = da.post(900, data, new byte[] {3});
    }
    BigInteger nonceAfterFirst = nonce(web3);
    try (EthereumDa restarted = new EthereumDa(config(EthereumDa.Mode.BLOBS, dir.resolve("journal"), GENEROUS))) {
      DaReceipt again = restarted.post(900, data, new byte[] {3});
      assertThat(again).isEqualTo(first);
      assertThat(restarted.fetch(again)).isEqualTo(data);
    }
    assertThat(nonce(web3)).isEqualTo(nonceAfterFirst);
    web3.shutdown();
  }

  @Test
  void refusesToPayAboveTheFeeCap(@TempDir Path dir) {
    try (EthereumDa da = new EthereumDa(config(EthereumDa.Mode.CALLDATA, dir.resolve("journal"), BigInteger.ONE))) {
      assertThatThrownBy(() -> da.post(900, new byte[] {1}, new byte[] {4}))
          .isInstanceOf(DaException.class)
          .hasMessageContaining("exceeds the cap")
          .satisfies(e -> assertThat(((DaException) e).transientFailure()).isTrue());
    }
  }

  @Test
  void blobPackingRoundTripsAndRejectsForeignBlobs() {
    for (int size : new int[] {0, 1, 30, 31, 126_972, 126_973, 300_000}) {
      byte[] data = new byte[size];
      new Random(size).nextBytes(data);
      List<byte[]> blobs = BlobPacking.pack(data);
      assertThat(blobs).hasSize(BlobPacking.blobsNeeded(size));
      assertThat(BlobPacking.unpack(blobs)).isEqualTo(data);
    }
    byte[] bad = BlobPacking.pack(new byte[10]).get(0);
    bad[64] = 1;
    assertThatThrownBy(() -> BlobPacking.unpack(List.of(bad))).hasMessageContaining("high byte");
    byte[] tooLong = BlobPacking.pack(new byte[10]).get(0);
    tooLong[1] = 0x7f;
    assertThatThrownBy(() -> BlobPacking.unpack(List.of(tooLong))).hasMessageContaining("exceeds");
  }

  private static BigInteger nonce(Web3j web3) throws Exception {
    return web3.ethGetTransactionCount(AnvilProcess.DEV_ADDRESS, DefaultBlockParameterName.PENDING).send()
        .getTransactionCount();
  }
}
