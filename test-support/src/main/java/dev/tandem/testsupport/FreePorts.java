package dev.tandem.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for processes and nodes that cannot bind port 0 and report it back, or that
 * must come back on the same port after a restart.
 *
 * <p>Ports come from below the kernel's ephemeral range. A port from that range (what binding port
 * 0 returns) can be taken between this check and the real bind by any outbound connection on the
 * machine, such as a node already started dialing its peers; ports below it are only ever taken by
 * an explicit bind. Within one JVM a port is handed out once.
 */
public final class FreePorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
  private static final int ATTEMPTS = 500;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();
  private static final int EPHEMERAL_LOW = ephemeralLow();

  private FreePorts() {}

  public static synchronized int next() {
    int ceiling = EPHEMERAL_LOW;
    for (int attempt = 0; attempt < ATTEMPTS && ceiling > LOWEST; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, ceiling);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException(
        "no free loopback port from " + LOWEST + " to " + (ceiling - 1) + " after " + ATTEMPTS + " tries");
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: JDK 17's readString trusts the size procfs reports.
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_LOW;
    }
  }
}
