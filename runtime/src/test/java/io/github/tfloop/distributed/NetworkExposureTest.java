package io.github.tfloop.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/**
 * TensorFlow's server listens on every interface whatever address the cluster gives it: a server
 * says so, and one for a cluster on the network starts only once that is acknowledged. Servers that
 * start run in their own JVM: a TensorFlow server cannot be stopped.
 */
class NetworkExposureTest {

  /** TEST-NET-2 (RFC 5737): documentation addresses, of no host, not loopback. */
  private static final String NOWHERE = "198.51.100.1";

  @Test
  void loopbackAddressesAreToldFromOthersWithoutLookingNamesUp() {
    assertTrue(Cluster.isLoopback("127.0.0.1"));
    assertTrue(Cluster.isLoopback("127.1.2.3"));
    assertTrue(Cluster.isLoopback("localhost"));
    assertTrue(Cluster.isLoopback("[::1]"));
    assertFalse(Cluster.isLoopback("10.0.0.1"));
    assertFalse(Cluster.isLoopback("0.0.0.0"));
    assertFalse(Cluster.isLoopback("[::]"));
    assertFalse(Cluster.isLoopback("trainer.example.com"));
    Cluster mixed =
        Cluster.of(List.of("127.0.0.1:2222"), List.of("localhost:2223", "10.0.0.3:2222"), "ps", 0);
    assertEquals(List.of("10.0.0.3:2222"), mixed.nonLoopbackAddresses());
  }

  @Test
  void theAcknowledgementIsKeptByEveryCopy() {
    Cluster cluster = Cluster.of(List.of("10.0.0.1:2222"), List.of("10.0.0.2:2222"), "ps", 0);
    assertFalse(cluster.insecureNetworkAcknowledged());
    Cluster acknowledged = cluster.acknowledgeInsecureNetwork();
    assertTrue(acknowledged.insecureNetworkAcknowledged());
    assertTrue(acknowledged.forTask(Cluster.WORKER, 0).insecureNetworkAcknowledged());
    assertTrue(
        acknowledged.withTimeout(java.time.Duration.ofSeconds(5)).insecureNetworkAcknowledged());
    assertEquals(cluster, acknowledged, "the same cluster");
    Servers.requireAcknowledged(acknowledged); // passes
    Servers.requireAcknowledged(
        Cluster.of(List.of("127.0.0.1:2222"), List.of("localhost:2223"), "ps", 0)); // loopback
  }

  @Test
  void aClusterOnTheNetworkIsRefusedBeforeAnyServerStarts() throws IOException {
    int port = freePorts(1)[0];
    Cluster cluster =
        Cluster.of(List.of(NOWHERE + ":" + port), List.of("127.0.0.1:" + (port + 1)), "ps", 0);
    IllegalStateException error =
        assertThrows(
            IllegalStateException.class,
            () -> Servers.start(cluster, ConfigProto.getDefaultInstance()));
    assertEquals(refusal(port), error.getMessage());
    assertFalse(accepts("127.0.0.1", port), "a server was started on port " + port);
  }

  /** In a JVM of its own, without and then with the acknowledgement. */
  @Test
  void aParameterServerOnTheNetworkStartsOnlyAcknowledgedAndListensEverywhere() throws Exception {
    int port = freePorts(1)[0];
    Cluster cluster =
        Cluster.of(List.of(NOWHERE + ":" + port), List.of("127.0.0.1:" + (port + 1)), "ps", 0);

    Process refused = parameterServer(cluster, false).start();
    assertTrue(refused.waitFor(1, TimeUnit.MINUTES));
    String output = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(output.contains("IllegalStateException: " + refusal(port)), output);
    assertTrue(refused.exitValue() != 0);

    Process server = parameterServer(cluster, true).start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      List<String> seen = linesUntil(lines, "ps 0 of 1");
      assertEquals(
          "ps 0 of 1: TensorFlow server listening on all network interfaces, port "
              + port
              + " (its cluster address is "
              + NOWHERE
              + ":"
              + port
              + ")",
          seen.get(seen.size() - 1));
      assertTrue(
          seen.contains(
              "INFO: ps 0 of 1: TensorFlow server listening on all network interfaces, port "
                  + port
                  + " (its cluster address is "
                  + NOWHERE
                  + ":"
                  + port
                  + "); it runs any graph sent to it, without authentication or encryption: keep"
                  + " its port closed to all but the cluster's hosts (a firewall, a private"
                  + " network)"),
          String.join("\n", seen));
      // the address said 192.0.2.1, yet the server answers on loopback, and on this host's own
      // network address
      assertTrue(accepts("127.0.0.1", port), "not listening on loopback");
      List<String> external = externalAddresses();
      assumeTrue(!external.isEmpty(), "this host has no non-loopback IPv4 address");
      assertTrue(accepts(external.get(0), port), "not listening on " + external.get(0));
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
  }

  /**
   * A cluster on loopback addresses needs no acknowledgement, but its server listens on every
   * interface all the same, and warns so: the launcher's clusters are such.
   */
  @Test
  void aLoopbackClusterWarnsThatItsServerListensEverywhere() throws Exception {
    int[] ports = freePorts(2);
    Cluster cluster =
        Cluster.of(
            List.of("127.0.0.1:" + ports[0]), List.of("127.0.0.1:" + ports[1]), Cluster.PS, 0);
    Process server = parameterServer(cluster, false).start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      List<String> seen = linesUntil(lines, "ps 0 of 1");
      assertTrue(
          seen.contains(
              "WARNING: ps 0 of 1: TensorFlow server listening on all network interfaces, port "
                  + ports[0]
                  + " (its cluster address is 127.0.0.1:"
                  + ports[0]
                  + "); it runs any graph sent to it, without authentication or encryption: other"
                  + " hosts can reach it unless a firewall closes port "
                  + ports[0]),
          String.join("\n", seen));
      List<String> external = externalAddresses();
      assumeTrue(!external.isEmpty(), "this host has no non-loopback IPv4 address");
      assertTrue(accepts(external.get(0), ports[0]), "not listening on " + external.get(0));
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
  }

  private static String refusal(int port) {
    return "not starting the TensorFlow server of ps 0 of 1: the cluster's addresses ["
        + NOWHERE
        + ":"
        + port
        + "] are not all loopback, and TensorFlow's gRPC server listens on every network"
        + " interface of this host (port "
        + port
        + ", whatever host its address names) and runs any graph that anyone who reaches that"
        + " port sends it, without authentication or encryption. Let only the cluster's hosts"
        + " reach its ports (a private network, or a firewall), then acknowledge it:"
        + " Cluster.acknowledgeInsecureNetwork(), -Dtfloop.cluster.acknowledgeInsecureNetwork=true"
        + " or TFLOOP_ACKNOWLEDGE_INSECURE_NETWORK=true";
  }

  private static ProcessBuilder parameterServer(Cluster cluster, boolean acknowledged) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    if (acknowledged) {
      command.add("-D" + Cluster.ACKNOWLEDGE_PROPERTY + "=true");
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ParameterServer.class.getName());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(Cluster.ENVIRONMENT_VARIABLE, cluster.toTfConfig());
    builder.environment().remove(Cluster.ACKNOWLEDGE_ENVIRONMENT_VARIABLE);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return builder;
  }

  /** The lines read up to the first that starts with {@code prefix}, which is the last. */
  private static List<String> linesUntil(BufferedReader lines, String prefix) throws IOException {
    List<String> seen = new ArrayList<>();
    for (String line; (line = lines.readLine()) != null; ) {
      seen.add(line);
      if (line.startsWith(prefix)) {
        return seen;
      }
    }
    throw new AssertionError("no line starting with '" + prefix + "' in:\n" + seen);
  }

  private static boolean accepts(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** This host's IPv4 addresses that are not loopback. */
  private static List<String> externalAddresses() throws IOException {
    List<String> addresses = new ArrayList<>();
    for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!network.isUp() || network.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(network.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          addresses.add(address.getHostAddress());
        }
      }
    }
    return addresses;
  }

  private static int[] freePorts(int count) throws IOException {
    ServerSocket[] sockets = new ServerSocket[count];
    int[] ports = new int[count];
    try {
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
    return ports;
  }
}
