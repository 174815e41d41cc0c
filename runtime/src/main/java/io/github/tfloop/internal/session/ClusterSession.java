package io.github.tfloop.internal.session;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;

/**
 * Opens a worker's session on a cluster: starts this process's TensorFlow server for its task (see
 * {@link Servers}) and opens a session on it, which TensorFlow's distributed runtime runs across
 * the tasks the graph's ops are placed on.
 */
public final class ClusterSession {

  private ClusterSession() {}

  /**
   * @param local the options of a session on one process (threads, soft placement)
   */
  public static Session open(Graph graph, ConfigProto local, Cluster cluster) {
    ConfigProto server =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(local.getIntraOpParallelismThreads())
            .setInterOpParallelismThreads(local.getInterOpParallelismThreads())
            .build();
    String target = Servers.start(cluster, server);
    ConfigProto config =
        local.toBuilder()
            // Each blocking wait (for the other workers' gradients, for the next round) has a
            // limit.
            .setOperationTimeoutInMs(waitLimit(cluster).toMillis())
            // This worker talks to the parameter servers and itself only, so that it neither waits
            // for
            // nor fails with another worker.
            .addDeviceFilters("/job:" + Cluster.PS)
            .addDeviceFilters("/job:" + Cluster.WORKER + "/task:" + cluster.taskIndex())
            .build();
    return NativeHandles.remoteSession(graph, target, config);
  }

  /**
   * Runs {@code initialize}, a worker's first session run, which reaches every parameter server
   * (the chief initialises the weights there; the other workers' runs need their devices).
   *
   * @param what who runs it, such as {@code Curve, worker 0 of 2}
   * @throws IllegalStateException when TensorFlow fails it, naming each parameter server (task and
   *     address) and whether it accepts connections, the timeout, and what to check
   */
  public static void initialize(Session session, Op initialize, Cluster cluster, String what) {
    long started = System.nanoTime();
    try {
      session.run(initialize);
    } catch (RuntimeException e) {
      if (!TensorFlowFailures.isFromTensorFlow(e)) {
        throw e;
      }
      Duration waited = Duration.ofNanos(System.nanoTime() - started);
      throw new IllegalStateException(
          what
              + ": initialising the loop on the cluster failed after "
              + seconds(waited)
              + " (this task waits "
              + seconds(waitLimit(cluster))
              + " at most): "
              + firstLine(e)
              + ". "
              + parameterServers(cluster)
              + ". Check that every parameter server runs (io.github.tfloop.distributed"
              + ".ParameterServer, with this cluster's TF_CONFIG), that every process has the same"
              + " addresses in TF_CONFIG, and that no firewall keeps this machine from their ports;"
              + " Cluster.withTimeout sets how long to wait",
          e);
    }
  }

  /**
   * Each parameter server, its address, and whether it accepts a TCP connection now (tried for up
   * to 2 s each): what to look at first when a run on the cluster fails.
   */
  public static String parameterServers(Cluster cluster) {
    List<String> servers = new ArrayList<>();
    List<String> addresses = cluster.parameterServers();
    for (int i = 0; i < addresses.size(); i++) {
      servers.add(
          "ps " + i + " at " + addresses.get(i) + " " + reachability(addresses.get(i), PROBE));
    }
    return "Parameter servers: " + String.join("; ", servers);
  }

  /** How long a connection to a parameter server is tried, to say whether it answers. */
  private static final Duration PROBE = Duration.ofSeconds(2);

  /** Whether a TCP connection to {@code address} ({@code host:port}) opens within {@code limit}. */
  static String reachability(String address, Duration limit) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // [::1]:2222
    }
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1))),
          (int) limit.toMillis());
      return "accepts connections";
    } catch (IOException | IllegalArgumentException e) {
      return "does not accept connections (" + e.getMessage() + ")";
    }
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline).strip();
  }

  private static String seconds(Duration duration) {
    return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }

  /**
   * How long one session run of this worker may wait: the chief waits the cluster's timeout for the
   * other workers' gradients; they wait twice as long for its next round, so that a chief that
   * gives up on a worker has told them why before they would give up themselves.
   */
  public static Duration waitLimit(Cluster cluster) {
    return cluster.isChief() ? cluster.timeout() : cluster.timeout().multipliedBy(2);
  }
}
