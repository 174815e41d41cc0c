package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.ParameterServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
    ProcessBuilder builder = start(cluster, ClusterCreate.class.getName(), "1");
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

  /**
   * A parameter server that stops after the loop was created: the next call that needs it fails
   * with a {@code TrainingException} naming the call, this task, and that the parameter server no
   * longer accepts connections.
   */
  @Test
  void aParameterServerThatStopsIsNamedByTheNextCall() throws Exception {
    int[] ports = freePorts(2);
    String ps = "127.0.0.1:" + ports[0];
    Cluster cluster = Cluster.of(List.of(ps), List.of("127.0.0.1:" + ports[1]), "worker", 0);
    Process server = start(cluster.forTask(Cluster.PS, 0), ParameterServer.class.getName()).start();
    Process worker = null;
    try {
      BufferedReader serverOutput = lines(server);
      awaitLine(serverOutput, "ps 0");
      worker = start(cluster, ClusterCreate.class.getName(), "2", "then-global-step").start();
      BufferedReader workerOutput = lines(worker);
      awaitLine(workerOutput, "created");
      server.destroyForcibly();
      server.waitFor();
      worker.getOutputStream().write('\n');
      worker.getOutputStream().flush();
      assertTrue(worker.waitFor(2, TimeUnit.MINUTES), "the worker still runs");
      String line = awaitLine(workerOutput, "io.github.tfloop.train.TrainingException");
      assertTrue(
          line.startsWith(
              "io.github.tfloop.train.TrainingException: CurveLoop.globalStep failed: "),
          line);
      assertTrue(
          line.endsWith(
              " (worker 0 of 1). Parameter servers: ps 0 at "
                  + ps
                  + " does not accept connections (Connection refused)"),
          line);
    } finally {
      server.destroyForcibly();
      if (worker != null) {
        worker.destroyForcibly();
      }
    }
  }

  /** A JVM running {@code mainClass} with {@code arguments} as {@code cluster}'s task. */
  private static ProcessBuilder start(Cluster cluster, String mainClass, String... arguments) {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put(Cluster.ENVIRONMENT_VARIABLE, cluster.toTfConfig());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return builder;
  }

  private static BufferedReader lines(Process process) {
    return new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Reads lines until one starts with {@code prefix}, and returns it. */
  private static String awaitLine(BufferedReader lines, String prefix) throws IOException {
    StringBuilder seen = new StringBuilder();
    for (String line; (line = lines.readLine()) != null; ) {
      if (line.startsWith(prefix)) {
        return line;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("no line starting with '" + prefix + "' in:\n" + seen);
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
