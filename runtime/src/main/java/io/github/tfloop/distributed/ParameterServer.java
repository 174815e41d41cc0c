package io.github.tfloop.distributed;

import java.util.concurrent.CountDownLatch;
import org.tensorflow.proto.ConfigProto;

/**
 * The program of a parameter-server process: starts TensorFlow's gRPC server for this process's
 * {@code ps} task of the cluster in {@code TF_CONFIG} and serves until the process is killed. The
 * variables of every loop trained on the cluster live in these processes.
 *
 * <pre>TF_CONFIG='{"cluster": {...}, "task": {"type": "ps", "index": 0}}' \
 *     java -cp ... io.github.tfloop.distributed.ParameterServer</pre>
 */
public final class ParameterServer {

  private ParameterServer() {}

  /** Serves the {@code ps} task that {@code TF_CONFIG} names; never returns. */
  public static void main(String[] args) throws InterruptedException {
    serve(Cluster.fromEnvironment());
  }

  /**
   * Serves {@code cluster}'s task, a parameter server, until the process is killed.
   *
   * @throws IllegalArgumentException if the task is not a parameter server
   */
  public static void serve(Cluster cluster) throws InterruptedException {
    if (!cluster.isParameterServer()) {
      throw new IllegalArgumentException(
          "ParameterServer serves \"ps\" tasks; TF_CONFIG names "
              + cluster.describeTask()
              + ", which trains: run the training program there");
    }
    Servers.start(cluster, ConfigProto.getDefaultInstance());
    System.out.println(Servers.listening(cluster));
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
