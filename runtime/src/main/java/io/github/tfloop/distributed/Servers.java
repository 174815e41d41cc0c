package io.github.tfloop.distributed;

import java.util.List;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The one TensorFlow gRPC server of this process: {@code org.tensorflow.Server}, started for this
 * process's task of a {@link Cluster}. TensorFlow Java cannot stop a server ({@code stop()} is
 * unimplemented), so it runs until the process exits, and a process serves one task: loops created
 * one after the other in the same worker share its server.
 *
 * <p>TensorFlow's server listens on every network interface of the host ({@code 0.0.0.0}, whatever
 * host the cluster's address names: {@code GrpcServer::Init} binds {@code "0.0.0.0:" + port}), and
 * runs any graph sent to it, without authentication or encryption. Each server says so when it
 * starts, and a server for a cluster whose addresses are not all loopback starts only once that is
 * acknowledged ({@link Cluster#acknowledgeInsecureNetwork()}).
 */
public final class Servers {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.distributed");

  private static Cluster serving;
  private static String target;

  private Servers() {}

  /**
   * Starts this process's server for {@code cluster}'s task, unless it runs already, and returns
   * the target a session connects to, such as {@code grpc://localhost:2223}.
   *
   * @param config the server's default session options (thread pools) for the work other tasks send
   *     it
   * @throws IllegalStateException if this process already serves another task, if the cluster's
   *     addresses are not all loopback and the insecure network is not acknowledged (nothing is
   *     started then), or if the server does not start (for example, its port is taken)
   */
  public static synchronized String start(Cluster cluster, ConfigProto config) {
    if (serving != null) {
      if (!serving.sameTask(cluster)) {
        throw new IllegalStateException(
            "this process already serves "
                + serving.describeTask()
                + " of "
                + serving.toTfConfig()
                + "; a TensorFlow server cannot be stopped, so a"
                + " process serves one task of one cluster");
      }
      return target;
    }
    requireAcknowledged(cluster);
    ServerDef definition =
        ServerDef.newBuilder()
            .setCluster(clusterDef(cluster))
            .setJobName(cluster.taskType())
            .setTaskIndex(cluster.taskIndex())
            .setProtocol("grpc")
            .setDefaultSessionConfig(config)
            .build();
    try {
      Server server = new Server(definition);
      server.start();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot start the TensorFlow server of "
              + cluster.describeTask()
              + " at "
              + cluster.address()
              + " (is the port taken?): "
              + e.getMessage(),
          e);
    }
    serving = cluster;
    target = "grpc://localhost:" + cluster.port();
    boolean local = cluster.nonLoopbackAddresses().isEmpty();
    LOG.log(
        local ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
        "{0}: TensorFlow server listening on all network interfaces, port {1} (its cluster"
            + " address is {2}); it runs any graph sent to it, without authentication or"
            + " encryption: {3}",
        cluster.describeTask(),
        String.valueOf(cluster.port()),
        cluster.address(),
        local
            ? "other hosts can reach it unless a firewall closes port " + cluster.port()
            : "keep its port closed to all but the cluster's hosts (a firewall, a private network)");
    return target;
  }

  /** The message a started server logs, as {@link #start} logs it; for the launcher's output. */
  static String listening(Cluster cluster) {
    return cluster.describeTask()
        + ": TensorFlow server listening on all network interfaces, port "
        + cluster.port()
        + " (its cluster address is "
        + cluster.address()
        + ")";
  }

  /**
   * Refuses to start a server for a cluster on the network unless that is acknowledged.
   *
   * @throws IllegalStateException saying why, what to do, and how to acknowledge it
   */
  static void requireAcknowledged(Cluster cluster) {
    List<String> open = cluster.nonLoopbackAddresses();
    if (open.isEmpty() || cluster.insecureNetworkAcknowledged()) {
      return;
    }
    throw new IllegalStateException(
        "not starting the TensorFlow server of "
            + cluster.describeTask()
            + ": the cluster's addresses "
            + open
            + " are not all loopback, and TensorFlow's gRPC server listens on every network"
            + " interface of this host (port "
            + cluster.port()
            + ", whatever host its address names) and runs any graph that anyone who reaches"
            + " that port sends it, without authentication or encryption. Let only the cluster's"
            + " hosts reach its ports (a private network, or a firewall), then acknowledge it:"
            + " Cluster.acknowledgeInsecureNetwork(), -D"
            + Cluster.ACKNOWLEDGE_PROPERTY
            + "=true or "
            + Cluster.ACKNOWLEDGE_ENVIRONMENT_VARIABLE
            + "=true");
  }

  private static ClusterDef clusterDef(Cluster cluster) {
    return ClusterDef.newBuilder()
        .addJob(job(Cluster.PS, cluster.parameterServers()))
        .addJob(job(Cluster.WORKER, cluster.workers()))
        .build();
  }

  private static JobDef job(String name, List<String> addresses) {
    JobDef.Builder job = JobDef.newBuilder().setName(name);
    for (int i = 0; i < addresses.size(); i++) {
      job.putTasks(i, addresses.get(i));
    }
    return job.build();
  }
}
