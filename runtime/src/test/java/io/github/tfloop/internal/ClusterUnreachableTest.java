package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.distributed.Cluster;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker whose parameter server is not running fails {@code create()} naming the parameter
 * server, its address, that it refuses connections, the timeout and what to check; not with
 * TensorFlow's bare {@code Deadline Exceeded}. The worker runs in its own JVM: a TensorFlow server
 * cannot be stopped.
 */
class ClusterUnreachableTest {

  @Test
  void aParameterServerThatIsDownIsNamed() throws Exception {
    int[] ports = freePorts(2);
    String ps = "127.0.0.1:" + ports[0];
    Cluster cluster = Cluster.of(List.of(ps), List.of("127.0.0.1:" + ports[1]), "worker", 0);
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ClusterCreate.class.getName(),
                "1")
            .redirectErrorStream(true);
    builder.environment().put(Cluster.ENVIRONMENT_VARIABLE, cluster.toTfConfig());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process worker = builder.start();
    assertTrue(worker.waitFor(2, TimeUnit.MINUTES), "the worker still runs");
    String output = new String(worker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String line =
        output
            .lines()
            .filter(text -> text.startsWith("java.lang.IllegalStateException"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(output));
    String expected =
        "java.lang.IllegalStateException: Curve, worker 0 of 1: initialising the loop on the"
            + " cluster failed after \\d+\\.\\d s \\(this task waits 1\\.0 s at most\\): Deadline"
            + " Exceeded\\. Parameter servers: ps 0 at "
            + ps.replace(".", "\\.")
            + " does not accept connections \\(Connection refused\\)\\. Check that every parameter"
            + " server runs \\(io\\.github\\.tfloop\\.distributed\\.ParameterServer, with this"
            + " cluster's TF_CONFIG\\), that every process has the same addresses in TF_CONFIG, and"
            + " that no firewall keeps this machine from their ports; Cluster\\.withTimeout sets"
            + " how long to wait";
    assertTrue(line.matches(expected), line);
    assertEquals(0, worker.exitValue());
  }

  /** {@code count} ports free on 127.0.0.1 now, all different. */
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
