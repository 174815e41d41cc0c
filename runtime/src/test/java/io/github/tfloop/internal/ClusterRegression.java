package io.github.tfloop.internal;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.data.stream.StreamingDataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.TrainingListener;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker of {@link SyncReplicasTest}'s clusters, fitting {@link Regression} with plain SGD:
 *
 * <ul>
 *   <li>{@code exact}: on one global batch, so that every epoch is one step on the same examples;
 *       writes the global step, the number of epochs this worker ran and the final weights to
 *       {@code worker-<index>} in the output directory. Before training it tries {@code step()},
 *       and prints the error.
 *   <li>{@code long}: on many batches, for longer than a test waits; the chief prints {@code step
 *       N} every 10 steps.
 *   <li>{@code nan}: as {@code long}, with a NaN in the chief's shard of the data.
 *   <li>{@code exact-streamed}: as {@code exact}, on the same data streamed from the IDX files
 *       {@link #writeIdx} wrote in the output directory.
 * </ul>
 *
 * <pre>TF_CONFIG=... java ... ClusterRegression OUTPUT exact|long|nan|exact-streamed TIMEOUT</pre>
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
    String mode = args[1];
    Cluster cluster =
        Cluster.fromEnvironment().withTimeout(Duration.ofSeconds(Long.parseLong(args[2])));
    if (!mode.startsWith("exact")) {
      trainLong(cluster, mode.equals("nan"));
      return;
    }
    Dataset train = mode.equals("exact-streamed") ? streamed(Path.of(args[0])) : data();
    try (Trainer engine = Regression.sgd(options().cluster(cluster).build(), LEARNING_RATE)) {
      try {
        engine.beginStep(engine.batchSize());
      } catch (IllegalStateException e) {
        System.out.println("step(): " + e.getMessage());
      }
      History history = engine.fit(train, null);
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

  /** Writes {@link #data()} as IDX files {@code x.idx} and {@code y.idx} in {@code directory}. */
  static void writeIdx(Path directory) throws IOException {
    Dataset data = data();
    IdxFile.write(
        directory.resolve("x.idx"),
        data.column("x").values(),
        DType.FLOAT32,
        EXAMPLES,
        new int[] {2});
    IdxFile.write(
        directory.resolve("y.idx"),
        data.column("y").values(),
        DType.FLOAT32,
        EXAMPLES,
        new int[] {1});
  }

  private static Dataset streamed(Path directory) throws IOException {
    return StreamingDataset.idx(
            Regression.X, directory.resolve("x.idx"), Regression.Y, directory.resolve("y.idx"))
        .dataset();
  }

  private static void trainLong(Cluster cluster, boolean nanInChiefShard) {
    LoopOptions options =
        options()
            .epochs(1000)
            .cluster(cluster)
            .nonFinite(NonFinite.STOP)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(FitControl control, int epoch, int batch) {
                    if (control.globalStep() % 10 == 0) {
                      System.out.println("step " + control.globalStep());
                      System.out.flush();
                    }
                  }
                })
            .build();
    Dataset data = Regression.data(400, 7);
    if (nanInChiefShard) {
      ((FloatColumn) data.column("x")).values()[0] = Float.NaN; // example 0: the chief's
    }
    try (Trainer engine = Regression.sgd(options, LEARNING_RATE)) {
      engine.fit(data, null);
    }
  }
}
