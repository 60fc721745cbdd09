package dev.tandem.bundles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.core.Block;
import dev.tandem.core.Hash;
import dev.tandem.core.KeyPair;
import dev.tandem.core.Namespace;
import dev.tandem.core.Transaction;
import dev.tandem.core.Verification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A seeded, single-threaded run of several proposers over one chain: users submit bundles and plain
 * transactions to random nodes, nodes crash and come back with empty pools, and Byzantine
 * proposers try to split bundles (drop a leg or the manifest, reorder legs, include a leg alone,
 * wedge a transaction between legs, replay an included bundle, ignore the window). Every block is
 * checked the way validators would (BundleRules plus the node's own signature and nonce checks); an
 * independent checker then reads the accepted chain and asserts that no bundle was ever split.
 * Consensus itself is not simulated: an accepted block is final.
 */
class BundleSimulationTest {
  private static final long CHAIN = 3;
  private static final int NODES = 4;
  private static final int HEIGHTS = 30;
  private static final List<Namespace> NAMESPACES = List.of(Namespace.of(1), Namespace.of(2), Namespace.of(3));
  private static final ProposalBuilder.Limits LIMITS = new ProposalBuilder.Limits(40, 64 << 10);

  private enum Attack { DROP_LEG, DROP_MANIFEST, REORDER, LONE_LEG, WEDGE, REPLAY, OUTSIDE_WINDOW }

  private static final class Totals {
    int blocks;
    int included;
    int rejectedAttacks;
    int acceptedAttacks;
    final Set<Attack> attacksTried = new HashSet<>();
  }

  private static final class Run {
    final Random random;
    final List<KeyPair> users = new ArrayList<>();
    final Map<KeyPair, Long> nextNonce = new HashMap<>();
    final BundlePool[] pools = new BundlePool[NODES];
    final int[] downUntil = new int[NODES];
    final boolean[] byzantine = new boolean[NODES];
    final List<Bundle> everBundled = new ArrayList<>();
    final List<Transaction> mempool = new ArrayList<>();
    final List<Block> chain = new ArrayList<>();
    final Set<Hash> includedKeys = new HashSet<>();
    final Set<String> usedNonces = new HashSet<>();
    final Set<Hash> usedIds = new HashSet<>();
    final Totals totals;

    Run(long seed, Totals totals) {
      this.random = new Random(seed);
      this.totals = totals;
      for (int i = 0; i < 5; i++) {
        users.add(KeyPair.generate(random));
      }
      for (int n = 0; n < NODES; n++) {
        pools[n] = newPool();
      }
      // One of four is Byzantine (f = 1 for n = 4).
      byzantine[random.nextInt(NODES)] = true;
    }

    BundlePool newPool() {
      return new BundlePool(new BundlePool.Config(CHAIN, 1000, 60_000));
    }

    long nonce(KeyPair user) {
      // Now and then reuse a recent nonce, to exercise conflicts.
      long next = nextNonce.getOrDefault(user, 0L);
      if (next > 0 && random.nextInt(10) == 0) {
        return next - 1;
      }
      nextNonce.put(user, next + 1);
      return next;
    }

    void userActivity(int height) {
      for (int i = random.nextInt(3); i > 0; i--) {
        KeyPair signer = users.get(random.nextInt(users.size()));
        BundleBuilder builder = BundleBuilder.create(CHAIN, signer, random)
            .window(BundleWindow.heights(height + random.nextInt(2), height + 1 + random.nextInt(4)))
            .manifestFee(random.nextInt(20));
        Set<String> used = new HashSet<>();
        for (int leg = 1 + random.nextInt(4); leg > 0; leg--) {
          KeyPair sender = users.get(random.nextInt(users.size()));
          long nonce = nonce(sender);
          if (used.add(sender.publicKey() + "/" + nonce)) {
            builder.addLeg(NAMESPACES.get(random.nextInt(NAMESPACES.size())), new byte[] {(byte) height, (byte) leg},
                sender, nonce, random.nextInt(50));
          }
        }
        Bundle bundle = builder.build();
        everBundled.add(bundle);
        for (int n = 0; n < NODES; n++) {
          if (random.nextBoolean() && downUntil[n] <= height) {
            pools[n].submit(bundle, includedKeys::contains, height * 1000L);
          }
        }
      }
      for (int i = random.nextInt(4); i > 0; i--) {
        KeyPair sender = users.get(random.nextInt(users.size()));
        mempool.add(Transaction.sign(CHAIN, NAMESPACES.get(random.nextInt(NAMESPACES.size())), nonce(sender),
            random.nextInt(50), new byte[] {(byte) i}, sender));
      }
    }

    void crashes(int height) {
      for (int n = 0; n < NODES; n++) {
        if (downUntil[n] <= height && random.nextInt(20) == 0) {
          downUntil[n] = height + 1 + random.nextInt(3);
          pools[n] = newPool(); // the pool is in memory: a crash loses it
        }
      }
    }

    List<Transaction> honestOrder(int node, int height, long time) {
      List<Transaction> plain = new ArrayList<>();
      for (Transaction tx : mempool) {
        if (!usedIds.contains(tx.id()) && !usedNonces.contains(tx.sender() + "/" + tx.nonce())) {
          plain.add(tx);
        }
      }
      List<Bundle> bundles = pools[node].proposable(height, time, includedKeys::contains, Map.of(), 10);
      // Bundles whose nonces the chain already used are dead even if this pool has not seen it.
      bundles.removeIf(b -> b.legs().stream().anyMatch(l -> usedNonces.contains(l.sender() + "/" + l.nonce())));
      return ProposalBuilder.build(plain, bundles, LIMITS, height, time, includedKeys::contains).order();
    }

    List<Transaction> attack(List<Transaction> honest, int height, long time) {
      Attack attack = Attack.values()[random.nextInt(Attack.values().length)];
      totals.attacksTried.add(attack);
      List<Transaction> order = new ArrayList<>(honest);
      Bundle victim = everBundled.isEmpty() ? null : everBundled.get(random.nextInt(everBundled.size()));
      if (victim == null) {
        return order;
      }
      switch (attack) {
        case DROP_LEG -> {
          order.addAll(victim.transactions());
          order.remove(victim.legs().get(random.nextInt(victim.legs().size())));
        }
        case DROP_MANIFEST -> order.addAll(victim.legs());
        case REORDER -> {
          order.add(victim.manifestTransaction());
          List<Transaction> legs = new ArrayList<>(victim.legs());
          java.util.Collections.reverse(legs);
          order.addAll(legs);
        }
        case LONE_LEG -> order.add(victim.legs().get(random.nextInt(victim.legs().size())));
        case WEDGE -> {
          order.add(victim.manifestTransaction());
          for (Transaction leg : victim.legs()) {
            order.add(leg);
            order.add(Transaction.sign(CHAIN, leg.namespace(), 1_000_000 + random.nextInt(1000), 0, new byte[] {9},
                users.get(0)));
          }
        }
        case REPLAY -> {
          if (!includedKeys.isEmpty()) {
            Block old = chain.get(random.nextInt(chain.size()));
            for (SignedManifest m : BundleRules.manifests(old)) {
              order.add(m.transaction());
              for (Transaction tx : old.transactions()) {
                if (tx.bundleKey().map(m.bundleKey()::equals).orElse(false)) {
                  order.add(tx);
                }
              }
            }
          }
        }
        case OUTSIDE_WINDOW -> {
          if (!victim.window().contains(height, time)) {
            order.addAll(victim.transactions());
          }
        }
        default -> throw new IllegalStateException();
      }
      return order;
    }

    /** What validators check: BundleRules, plus the node's own per-transaction rules. */
    Verification validate(Block block) {
      Set<String> nonces = new HashSet<>();
      Set<Hash> ids = new HashSet<>();
      for (Transaction tx : block.transactions()) {
        if (!tx.hasValidSignature()) {
          return Verification.failed("bad signature");
        }
        if (!ids.add(tx.id()) || usedIds.contains(tx.id())) {
          return Verification.failed("duplicate transaction");
        }
        if (!tx.namespace().equals(Namespace.SYSTEM)) {
          String nonce = tx.sender() + "/" + tx.nonce();
          if (!nonces.add(nonce) || usedNonces.contains(nonce)) {
            return Verification.failed("nonce reused");
          }
        }
      }
      return BundleRules.checkBlock(block, includedKeys::contains);
    }

    void run() {
      int node = 0;
      for (int height = 1; height <= HEIGHTS; height++) {
        userActivity(height);
        crashes(height);
        long time = 1000L * height;
        // Rotate to the next proposer that is up; a rejected block costs a round, then the next proposer tries.
        for (int attempt = 0; attempt < NODES; attempt++) {
          node = (node + 1) % NODES;
          if (downUntil[node] > height) {
            continue;
          }
          List<Transaction> order = honestOrder(node, height, time);
          boolean attacking = byzantine[node] && random.nextBoolean();
          if (attacking) {
            order = attack(order, height, time);
          }
          Block block = Block.build(CHAIN, height, chain.isEmpty() ? Hash.ZERO : chain.get(chain.size() - 1).hash(),
              time, KeyPair.generate(new Random(node)).publicKey(), order);
          Verification verdict = validate(block);
          if (!attacking) {
            assertThat(verdict.reason()).as("an honest proposal at height %d", height).isEqualTo("valid");
          }
          if (!verdict.valid()) {
            totals.rejectedAttacks++;
            continue;
          }
          if (attacking) {
            totals.acceptedAttacks++;
          }
          accept(block, height);
          break;
        }
      }
    }

    void accept(Block block, int height) {
      chain.add(block);
      totals.blocks++;
      for (SignedManifest m : BundleRules.manifests(block)) {
        includedKeys.add(m.bundleKey());
        totals.included++;
      }
      for (Transaction tx : block.transactions()) {
        usedIds.add(tx.id());
        if (!tx.namespace().equals(Namespace.SYSTEM)) {
          usedNonces.add(tx.sender() + "/" + tx.nonce());
        }
      }
      for (int n = 0; n < NODES; n++) {
        if (downUntil[n] <= height) {
          pools[n].onFinalized(block, height * 1000L);
        }
      }
    }
  }

  /** Reads the accepted chain on its own terms: for every bundle touched, all or nothing, in one block, in order. */
  private static void assertNoBundleWasSplit(Run run) {
    Map<Hash, Integer> manifestHeight = new HashMap<>();
    Map<Hash, SignedManifest> manifests = new HashMap<>();
    Map<Hash, List<Transaction>> legsSeen = new LinkedHashMap<>();
    Map<Hash, Long> legHeight = new HashMap<>();
    for (Block block : run.chain) {
      for (Transaction tx : block.transactions()) {
        if (tx.namespace().equals(Namespace.SYSTEM)) {
          SignedManifest m = SignedManifest.parse(tx);
          assertThat(manifestHeight.put(m.bundleKey(), (int) block.height())).as("manifest recorded once").isNull();
          manifests.put(m.bundleKey(), m);
          assertThat(m.manifest().window().contains(block.height(), block.header().timestampMillis())).isTrue();
        } else if (tx.isBundleLeg()) {
          legsSeen.computeIfAbsent(tx.bundleKey().orElseThrow(), k -> new ArrayList<>()).add(tx);
          legHeight.put(tx.id(), block.height());
        }
      }
    }
    for (Map.Entry<Hash, List<Transaction>> seen : legsSeen.entrySet()) {
      SignedManifest manifest = manifests.get(seen.getKey());
      assertThat(manifest).as("a leg of %s without its manifest", seen.getKey()).isNotNull();
      int height = manifestHeight.get(seen.getKey());
      List<Hash> expected = manifest.manifest().legs().stream().map(LegRef::txId).toList();
      assertThat(seen.getValue().stream().map(Transaction::id).toList())
          .as("every leg once").containsExactlyInAnyOrderElementsOf(expected);
      for (Transaction leg : seen.getValue()) {
        assertThat(legHeight.get(leg.id())).as("leg in the manifest's block").isEqualTo(height);
      }
      Block block = run.chain.stream().filter(b -> b.height() == height).findFirst().orElseThrow();
      for (Namespace ns : NAMESPACES) {
        List<Transaction> slice = block.slice(ns).transactions();
        List<Hash> inNamespace = manifest.manifest().legs().stream().filter(l -> l.namespace().equals(ns))
            .map(LegRef::txId).toList();
        if (!inNamespace.isEmpty()) {
          int start = slice.indexOf(seen.getValue().stream().filter(t -> t.id().equals(inNamespace.get(0)))
              .findFirst().orElseThrow());
          assertThat(slice.subList(start, start + inNamespace.size()).stream().map(Transaction::id).toList())
              .as("adjacent and in order").isEqualTo(inNamespace);
        }
      }
    }
    for (Hash key : manifests.keySet()) {
      assertThat(legsSeen).as("a manifest without legs").containsKey(key);
    }
  }

  @Test
  void noAcceptedBlockEverSplitsABundle() {
    int seeds = Math.max(10, Integer.getInteger("tandem.sim.seeds", 300) / 10);
    Totals totals = new Totals();
    for (long seed = 1; seed <= seeds; seed++) {
      Run run = new Run(seed, totals);
      run.run();
      assertNoBundleWasSplit(run);
    }
    assertThat(totals.included).as("bundles included").isGreaterThan(seeds);
    assertThat(totals.rejectedAttacks).as("attacks rejected").isGreaterThan(seeds / 2);
    assertThat(totals.attacksTried).containsExactlyInAnyOrder(Attack.values());
    assertThat(totals.blocks).isGreaterThan(seeds * HEIGHTS / 2);
  }
}
