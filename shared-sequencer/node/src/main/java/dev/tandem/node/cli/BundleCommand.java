package dev.tandem.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.bundles.Bundle;
import dev.tandem.bundles.BundleBuilder;
import dev.tandem.bundles.BundleWindow;
import dev.tandem.bundles.CancelRequest;
import dev.tandem.client.BundleView;
import dev.tandem.client.TandemClient;
import dev.tandem.core.Hash;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.PublicKey;
import dev.tandem.core.Transaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bundle", description = "Build, sign, submit, query and cancel atomic cross-rollup bundles.",
    subcommands = {BundleCommand.Send.class, BundleCommand.Status.class, BundleCommand.Cancel.class})
final class BundleCommand {
  private BundleCommand() {}

  @Command(name = "send", description = "Sign a bundle (legs in several namespaces, all or none) and submit it; "
      + "by default wait until it is included, expired or rejected.")
  static final class Send implements Callable<Integer> {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:8545", description = "Node JSON-RPC URL (default: ${DEFAULT-VALUE}).")
    String rpc;

    @Option(names = "--key", required = true, description = "Bundle signer key file; it pays the manifest fee.")
    Path keyFile;

    @Option(names = "--leg", required = true, paramLabel = "NAMESPACE:0xPAYLOAD[:KEYFILE]",
        description = "A leg, in bundle order: its rollup namespace, payload hex and the sender key file "
            + "(default: the signer's). Repeat for each leg (1 to 16).")
    List<String> legs;

    @Option(names = "--window-blocks", defaultValue = "20",
        description = "The bundle may be included in the next N blocks, then expires (default: ${DEFAULT-VALUE}).")
    long windowBlocks;

    @Option(names = "--replacement-id", description = "0x 32-byte id; reuse it with a higher --revision to replace a pending bundle.")
    String replacementId;

    @Option(names = "--revision", defaultValue = "0", description = "Revision (default: ${DEFAULT-VALUE}).")
    long revision;

    @Option(names = "--no-wait", description = "Return as soon as the node accepts the bundle.")
    boolean noWait;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds to wait (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
      if (windowBlocks < 1) {
        throw new IllegalArgumentException("--window-blocks must be at least 1");
      }
      KeyPair signer = KeyFiles.read(keyFile);
      TandemClient client = TandemClient.connect(rpc);
      long chainId = client.chainId();
      long tip = client.blockNumber();
      BundleBuilder builder = BundleBuilder.create(chainId, signer)
          .window(BundleWindow.heights(tip + 1, tip + windowBlocks)).revision(revision);
      if (replacementId != null) {
        builder.replacementId(Hash.fromHex(replacementId));
      }
      Map<PublicKey, Long> nonces = new HashMap<>();
      for (String spec : legs) {
        String[] parts = spec.split(":", 3);
        if (parts.length < 2) {
          throw new IllegalArgumentException("--leg must be NAMESPACE:0xPAYLOAD[:KEYFILE], got '" + spec + "'");
        }
        Namespace namespace = Namespace.parse(parts[0]);
        byte[] payload = Hex.decode(parts[1]);
        KeyPair sender = parts.length == 3 ? KeyFiles.read(Path.of(parts[2])) : signer;
        long nonce = nonces.computeIfAbsent(sender.publicKey(), client::nextNonce);
        nonces.put(sender.publicKey(), nonce + 1);
        long fee = client.minimumFee(Transaction.OVERHEAD_BYTES + Hash.LENGTH + payload.length);
        builder.addLeg(namespace, payload, sender, nonce, fee);
      }
      // Fee fields have a fixed width, so the manifest's size does not depend on its fee.
      Bundle unpaid = builder.build();
      Bundle bundle = builder.manifestFee(client.minimumFee(unpaid.manifestTransaction().encodedLength())).build();
      BundleView accepted = client.sendBundle(bundle);
      System.out.println("{\"bundleKey\":\"" + accepted.bundleKey().toHex() + "\",\"replacementId\":\""
          + builder.replacementIdValue().toHex() + "\",\"revision\":" + bundle.revision() + ",\"status\":\""
          + accepted.status() + "\"}");
      if (noWait) {
        return 0;
      }
      Optional<BundleView> last = client.awaitBundle(bundle.key(), Duration.ofSeconds(timeoutSeconds));
      System.out.println(client.call("tandem_getBundleStatus", bundle.key().toHex()).toPrettyString());
      return last.map(BundleView::isIncluded).orElse(false) ? 0 : 1;
    }
  }

  @Command(name = "status", description = "Print a bundle's status (with per-leg receipts once included).")
  static final class Status implements Callable<Integer> {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:8545", description = "Node JSON-RPC URL (default: ${DEFAULT-VALUE}).")
    String rpc;

    @Parameters(index = "0", paramLabel = "BUNDLE_KEY", description = "0x bundle key.")
    String bundleKey;

    @Override
    public Integer call() {
      var status = TandemClient.connect(rpc).call("tandem_getBundleStatus", Hash.fromHex(bundleKey).toHex());
      System.out.println(status.toPrettyString());
      return status.isNull() ? 1 : 0;
    }
  }

  @Command(name = "cancel", description = "Withdraw pending revisions of a bundle (best effort: too late once included).")
  static final class Cancel implements Callable<Integer> {
    @Option(names = "--rpc", defaultValue = "http://127.0.0.1:8545", description = "Node JSON-RPC URL (default: ${DEFAULT-VALUE}).")
    String rpc;

    @Option(names = "--key", required = true, description = "The bundle signer's key file.")
    Path keyFile;

    @Option(names = "--replacement-id", required = true, description = "The bundle's 0x replacement id (printed by 'bundle send').")
    String replacementId;

    @Option(names = "--up-to-revision", defaultValue = "0", description = "Cancel revisions up to this one (default: ${DEFAULT-VALUE}).")
    long upToRevision;

    @Override
    public Integer call() throws Exception {
      TandemClient client = TandemClient.connect(rpc);
      CancelRequest cancel = CancelRequest.sign(client.chainId(), Hash.fromHex(replacementId), upToRevision,
          KeyFiles.read(keyFile));
      BundleView after = client.cancelBundle(cancel);
      // Cancelling is best effort: a block already under way may still include the bundle. The
      // exit code follows the status printed, read after the cancel, so the two never disagree.
      JsonNode status = client.call("tandem_getBundleStatus", after.bundleKey().toHex());
      System.out.println(status.toPrettyString());
      return "cancelled".equals(status.path("status").asText()) ? 0 : 1;
    }
  }
}
