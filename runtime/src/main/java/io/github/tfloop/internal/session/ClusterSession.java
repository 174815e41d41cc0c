package io.github.tfloop.internal.session;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.Servers;
import java.time.Duration;
import org.tensorflow.Graph;
import org.tensorflow.Session;
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
   * How long one session run of this worker may wait: the chief waits the cluster's timeout for the
   * other workers' gradients; they wait twice as long for its next round, so that a chief that
   * gives up on a worker has told them why before they would give up themselves.
   */
  public static Duration waitLimit(Cluster cluster) {
    return cluster.isChief() ? cluster.timeout() : cluster.timeout().multipliedBy(2);
  }
}
