package io.github.tfloop.internal;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker of {@link SyncReplicasTest}'s cluster: fits {@link Regression} (plain SGD) on one global
 * batch, so that every epoch is one step on the same examples, and writes the global step, the
 * number of epochs this worker ran and the final weights to {@code worker-<index>} in the directory
 * given. Before training it tries {@code step()}, and prints the error.
 *
 * <pre>TF_CONFIG=... java ... ClusterRegression OUTPUT_DIRECTORY</pre>
 */
public final class ClusterRegression {

  static final int EXAMPLES = 8;
  static final int EPOCHS = 6;
  static final double LEARNING_RATE = 0.1;

  private ClusterRegression() {}

  static LoopOptions.Builder options() {
    return LoopOptions.builder().epochs(EPOCHS).intraOpThreads(1).interOpThreads(2);
  }

  static Dataset data() {
    return Regression.data(EXAMPLES, 5);
  }

  public static void main(String[] args) throws IOException {
    Cluster cluster = Cluster.fromEnvironment().withTimeout(Duration.ofSeconds(60));
    try (LoopEngine engine = Regression.sgd(options().cluster(cluster).build(), LEARNING_RATE)) {
      try {
        engine.trainStep(engine.batchOf(engine.batchSize()));
      } catch (IllegalStateException e) {
        System.out.println("step(): " + e.getMessage());
      }
      History history = engine.fit(data(), null);
      Path file = Path.of(args[0]).resolve("worker-" + cluster.taskIndex());
      try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
        out.writeLong(engine.globalStep());
        out.writeInt(history.epochs().size());
        for (float weight : Regression.weights(engine)) {
          out.writeFloat(weight);
        }
      }
    }
  }
}
