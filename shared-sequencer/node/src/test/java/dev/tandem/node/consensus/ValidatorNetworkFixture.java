package dev.tandem.node.consensus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.p2p.PeerId;
import dev.tandem.testsupport.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Four validators' data directories, keys (written as node-key.hex before any node starts, so
 * the configs can name them), free p2p ports, and a JSON config file per node.
 */
public final class ValidatorNetworkFixture {
  public static final long CHAIN = 4242;
  private static final ObjectMapper JSON = new ObjectMapper();

  final List<Path> dirs = new ArrayList<>();
  final List<KeyPair> keys = new ArrayList<>();
  final List<Integer> ports = new ArrayList<>();

  public ValidatorNetworkFixture(Path root, int count, long seed) throws Exception {
    Random random = new Random(seed);
    for (int i = 0; i < count; i++) {
      Path dir = root.resolve("node-" + i);
      Files.createDirectories(dir);
      KeyPair key = KeyPair.generate(random);
      Files.writeString(dir.resolve("node-key.hex"), Hex.encode(key.seed()) + "\n");
      dirs.add(dir);
      keys.add(key);
      ports.add(FreePorts.next());
    }
  }

  /** Writes node {@code index}'s config (RPC on a free port, p2p on its port, every other node a peer). */
  public Path writeConfig(int index, long baseTimeoutMillis) throws Exception {
    return writeConfig(index, baseTimeoutMillis, "full");
  }

  /** As {@link #writeConfig(int, long)}, with {@code consensus.proposals} ("full" or "compact"). */
  public Path writeConfig(int index, long baseTimeoutMillis, String proposals) throws Exception {
    return writeConfig(index, baseTimeoutMillis, proposals, j -> true);
  }

  /** As {@link #writeConfig(int, long, String)}, with only the nodes {@code bootstrap} accepts as bootstrap peers. */
  public Path writeConfig(int index, long baseTimeoutMillis, String proposals, IntPredicate bootstrap)
      throws Exception {
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", CHAIN);
    tree.put("dataDir", dirs.get(index).toString());
    tree.put("rpcPort", 0);
    tree.put("lmdbMapSizeBytes", 256L << 20);
    tree.put("p2pListen", "/ip4/127.0.0.1/tcp/" + ports.get(index));
    ArrayNode peers = tree.putArray("bootstrapPeers");
    for (int j = 0; j < keys.size(); j++) {
      if (j != index && bootstrap.test(j)) {
        peers.add("/ip4/127.0.0.1/tcp/" + ports.get(j) + "/p2p/"
            + PeerId.fromEd25519PublicKey(keys.get(j).publicKey().toBytes()));
      }
    }
    ObjectNode consensus = tree.putObject("consensus");
    consensus.put("baseTimeoutMillis", baseTimeoutMillis);
    consensus.put("proposals", proposals);
    ArrayNode validators = consensus.putArray("validators");
    for (KeyPair key : keys) {
      validators.addObject().put("publicKey", key.publicKey().toHex()).put("stake", 1);
    }
    Path file = dirs.get(index).resolve("node.json");
    Files.writeString(file, JSON.writeValueAsString(tree));
    return file;
  }
}
