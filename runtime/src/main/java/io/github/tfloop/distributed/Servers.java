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
 * <p>TensorFlow's server listens on every network interface of the host, without authentication or
 * encryption: run clusters on trusted networks only.
 */
public final class Servers {

  private static Cluster serving;
  private static String target;

  private Servers() {}

  /**
   * Starts this process's server for {@code cluster}'s task, unless it runs already, and returns
   * the target a session connects to, such as {@code grpc://localhost:2223}.
   *
   * @param config the server's default session options (thread pools) for the work other tasks send
   *     it
   * @throws IllegalStateException if this process already serves another task, or the server does
   *     not start (for example, its port is taken)
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
    return target;
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
