package dev.tandem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.core.Hex;
import dev.tandem.core.KeyPair;
import dev.tandem.node.NodeConfig;
import dev.tandem.node.TandemNode;
import dev.tandem.p2p.PeerId;
import dev.tandem.testsupport.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Starts a BFT validator network of full {@link TandemNode}s in this JVM, the way the benchmarks
 * run Tandem: one data directory per node under {@code dir}, libp2p on free loopback ports, every
 * node a bootstrap peer of the others, equal stakes, RPC on any free port.
 */
public final class LocalValidators {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LocalValidators() {}

  /**
   * Starts {@code count} validators, adding each to {@code started} as soon as it runs (so the
   * caller can close the ones that started if a later one fails).
   */
  public static void start(Path dir, long chainId, int count, Random random, boolean compactProposals,
      List<TandemNode> started) throws IOException {
    List<KeyPair> keys = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      KeyPair key = KeyPair.generate(random);
      Path nodeDir = Files.createDirectories(dir.resolve("node-" + i));
      // The node reads its key from node-key.hex; writing it first lets every config name the validators.
      Files.writeString(nodeDir.resolve("node-key.hex"), Hex.encode(key.seed()) + "\n");
      keys.add(key);
      ports.add(FreePorts.next());
    }
    for (int i = 0; i < count; i++) {
      started.add(TandemNode.start(config(dir.resolve("node-" + i), chainId, i, keys, ports, compactProposals)));
    }
  }

  /**
   * Starts one node that orders alone (no {@code consensus} section: the single-node orderer) and
   * cuts a block every {@code blockIntervalMillis} while transactions wait.
   */
  public static TandemNode startAlone(Path dir, long chainId, int blockIntervalMillis) throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve("node-0"));
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", chainId);
    tree.put("dataDir", nodeDir.toString());
    tree.put("rpcPort", 0);
    tree.put("lmdbMapSizeBytes", 1L << 30);
    tree.put("blockIntervalMillis", blockIntervalMillis);
    Path file = nodeDir.resolve("node.json");
    Files.writeString(file, JSON.writeValueAsString(tree));
    return TandemNode.start(NodeConfig.load(file));
  }

  private static NodeConfig config(Path nodeDir, long chainId, int index, List<KeyPair> keys, List<Integer> ports,
      boolean compactProposals) throws IOException {
    ObjectNode tree = JSON.createObjectNode();
    tree.put("chainId", chainId);
    tree.put("dataDir", nodeDir.toString());
    tree.put("rpcPort", 0);
    tree.put("lmdbMapSizeBytes", 1L << 30);
    tree.put("p2pListen", "/ip4/127.0.0.1/tcp/" + ports.get(index));
    ArrayNode peers = tree.putArray("bootstrapPeers");
    for (int j = 0; j < keys.size(); j++) {
      if (j != index) {
        peers.add("/ip4/127.0.0.1/tcp/" + ports.get(j) + "/p2p/"
            + PeerId.fromEd25519PublicKey(keys.get(j).publicKey().toBytes()));
      }
    }
    ObjectNode consensus = tree.putObject("consensus");
    consensus.put("proposals", compactProposals ? "compact" : "full");
    ArrayNode validators = consensus.putArray("validators");
    for (KeyPair key : keys) {
      validators.addObject().put("publicKey", key.publicKey().toHex()).put("stake", 1);
    }
    Path file = nodeDir.resolve("node.json");
    Files.writeString(file, JSON.writeValueAsString(tree));
    return NodeConfig.load(file);
  }
}
