package dev.tandem.bench.ordering;

import dev.tandem.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * Apache Ratis peers in this JVM over gRPC on loopback, each with its own segmented log (fsynced,
 * Ratis' default) in a temporary directory and a {@link CountingStateMachine}. A payload is
 * committed when the leader has applied it, which is when Ratis' async client reply arrives.
 * Several clients share the load because one Ratis client keeps its requests in order.
 */
public final class RatisCluster implements OrderingCluster {
  private static final int CLIENTS = 4;
  private static final int OUTSTANDING_PER_CLIENT = 4096;

  private final List<RaftServer> servers = new ArrayList<>();
  private final List<CountingStateMachine> machines = new ArrayList<>();
  private final List<RaftClient> clients = new ArrayList<>();
  private final AtomicInteger nextClient = new AtomicInteger();
  private final boolean signed;
  private SignedPayloads signer;
  private Path dir;

  /** With {@code signed}, payloads go as signed transactions that every replica verifies when it applies them. */
  public RatisCluster(boolean signed) {
    this.signed = signed;
  }

  public RatisCluster() {
    this(false);
  }

  @Override
  public String name() {
    return signed ? "ratis-signed" : "ratis";
  }

  @Override
  public void start(int nodes) throws Exception {
    dir = Files.createTempDirectory("tandem-bench-ratis-");
    List<RaftPeer> peers = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      peers.add(RaftPeer.newBuilder().setId("n" + i).setAddress("127.0.0.1:" + FreePorts.next()).build());
    }
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
    for (RaftPeer peer : peers) {
      RaftProperties props = properties();
      RaftServerConfigKeys.setStorageDir(props, List.of(dir.resolve(peer.getId().toString()).toFile()));
      GrpcConfigKeys.Server.setHost(props, "127.0.0.1");
      GrpcConfigKeys.Server.setPort(props, Integer.parseInt(peer.getAddress().split(":")[1]));
      CountingStateMachine machine = new CountingStateMachine(signed);
      RaftServer server = RaftServer.newBuilder()
          .setServerId(peer.getId())
          .setGroup(group)
          .setProperties(props)
          .setStateMachine(machine)
          .build();
      server.start();
      servers.add(server);
      machines.add(machine);
    }
    for (int i = 0; i < CLIENTS; i++) {
      RaftProperties props = properties();
      RaftClientConfigKeys.Async.setOutstandingRequestsMax(props, OUTSTANDING_PER_CLIENT);
      clients.add(RaftClient.newBuilder().setProperties(props).setRaftGroup(group).build());
    }
    signer = signed ? new SignedPayloads(new Random(4242)) : null;
    // The first write waits out the leader election.
    byte[] warmUp = signed ? signer.sign(new byte[] {1}).tx().encode() : new byte[] {1};
    RaftClientReply reply = clients.get(0).async().send(Message.valueOf(ByteString.copyFrom(warmUp)))
        .get(60, TimeUnit.SECONDS);
    if (!reply.isSuccess()) {
      throw new IllegalStateException("Ratis did not commit the first write: " + reply);
    }
  }

  /**
   * Election timeouts of 1-2 s instead of Ratis' 150-300 ms: on a shared 2-core box the short ones
   * trigger elections under load, and Tandem's view timeout is 1 s.
   */
  private static RaftProperties properties() {
    RaftProperties props = new RaftProperties();
    RaftServerConfigKeys.Rpc.setTimeoutMin(props, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(props, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    return props;
  }

  @Override
  public void prepare(List<byte[]> payloads) {
    if (signed) {
      signer.prepare(payloads);
    }
  }

  @Override
  public CompletableFuture<Commit> submit(byte[] payload) {
    RaftClient client = clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size()));
    byte[] data = signed ? signer.sign(payload).tx().encode() : payload;
    return client.async().send(Message.valueOf(ByteString.copyFrom(data))).thenApply(reply -> {
      if (!reply.isSuccess()) {
        throw new IllegalStateException("Ratis refused the payload: " + reply.getException());
      }
      return new Commit(reply.getLogIndex());
    });
  }

  /** Payloads applied on each peer (the leader first to reach the count, followers catch up). */
  public List<Long> appliedPerPeer() {
    return machines.stream().map(CountingStateMachine::applied).toList();
  }

  @Override
  public void close() throws Exception {
    for (RaftClient client : clients) {
      client.close();
    }
    for (RaftServer server : servers) {
      server.close();
    }
    if (dir != null) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }
}
