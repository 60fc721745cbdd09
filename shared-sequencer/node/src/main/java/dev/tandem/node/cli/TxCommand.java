package dev.tandem.node.cli;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TxReceipt;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tx", description = "Build, sign and submit transactions.", subcommands = {TxCommand.Send.class})
final class TxCommand {

  static final class Payload {
    @Option(names = "--payload", description = "Payload as UTF-8 text.")
    String text;

    @Option(names = "--payload-hex", description = "Payload as 0x-hex.")
    String hex;

    @Option(names = "--payload-file", description = "Payload read from a file.")
    Path file;

    byte[] bytes() throws Exception {
      if (text != null) {
        return text.getBytes(StandardCharsets.UTF_8);
      }
      if (hex != null) {
        return Hex.decode(hex);
      }
      return Files.readAllBytes(file);
    }
  }

  @Command(name = "send", description = "Sign and submit a transaction; by default wait for finality and print the receipt.")
  static final class Send implements Callable<Integer> {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:8545", description = "Node JSON-RPC URL (default: ${DEFAULT-VALUE}).")
    String rpc;

    @Option(names = "--namespace", required = true, description = "Rollup namespace: decimal or 0x-hex.")
    String namespace;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Payload payload;

    @Option(names = "--key", required = true, description = "Sender key file (see 'tandem keys new').")
    Path keyFile;

    @Option(names = "--nonce", description = "Nonce; by default the next one the node expects.")
    Long nonce;

    @Option(names = "--fee", description = "Fee; by default the node's minimum for this size.")
    Long fee;

    @Option(names = "--no-wait", description = "Return as soon as the node acknowledges the transaction.")
    boolean noWait;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait for finality (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      KeyPair key = KeyFiles.read(keyFile);
      TandemClient client = TandemClient.connect(rpc);
      Namespace ns = Namespace.parse(namespace);
      byte[] body = payload.bytes();
      long chainId = client.chainId();
      long txNonce = nonce != null ? nonce : client.nextNonce(key.publicKey());
      long txFee = fee != null ? fee
          : client.minimumFee(Transaction.sign(chainId, ns, txNonce, 0, body, key).encodedLength());
      Transaction tx = Transaction.sign(chainId, ns, txNonce, txFee, body, key);
      Hash id = client.sendTransaction(tx);
      if (noWait) {
        System.out.println("{\"hash\":\"" + id.toHex() + "\",\"status\":\"pending\"}");
        return 0;
      }
      TxReceipt receipt = client.awaitFinal(id, Duration.ofSeconds(timeoutSeconds));
      System.out.println(client.call("tandem_getTransactionReceipt", id.toHex()).toPrettyString());
      return receipt.status() == TxReceipt.Status.FINALIZED ? 0 : 1;
    }
  }
}
