package dev.tandem.node.cli;

import dev.tandem.core.KeyPair;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keys", description = "Create and inspect Ed25519 keys.",
    subcommands = {KeysCommand.New.class, KeysCommand.Show.class})
final class KeysCommand {

  @Command(name = "new", description = "Create a key file and print its public key.")
  static final class New implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "tandem-key.hex", description = "Key file to create (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
      KeyPair key = KeyPair.generate();
      KeyFiles.write(out, key);
      System.out.println("{\"publicKey\":\"" + key.publicKey().toHex() + "\",\"keyFile\":\"" + out.toAbsolutePath() + "\"}");
      return 0;
    }
  }

  @Command(name = "show", description = "Print the public key and libp2p peer id of a key file (node keys included).")
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", description = "Key file.")
    Path file;

    @Override
    public Integer call() throws Exception {
      KeyPair key = KeyFiles.read(file);
      System.out.println("{\"publicKey\":\"" + key.publicKey().toHex() + "\",\"peerId\":\""
          + dev.tandem.p2p.PeerId.fromEd25519PublicKey(key.publicKey().toBytes()) + "\"}");
      return 0;
    }
  }
}
