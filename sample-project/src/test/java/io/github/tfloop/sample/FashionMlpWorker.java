package io.github.tfloop.sample;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.FloatColumn;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.monitor.TensorBoard;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

/**
 * A worker of {@link FashionMlpClusterTest}'s clusters: the generated {@code FashionMlpLoop} on the
 * bundled Fashion-MNIST subset, on the cluster in {@code TF_CONFIG}. Every process is given a
 * checkpoint policy and a TensorBoard listener of its own, under {@code OUTPUT/worker-<index>/},
 * and calls {@code resume}, as a program that may be restarted does. On the chief, prints {@code
 * step N} after every step. At the end, writes its global step, epochs and test accuracy to {@code
 * OUTPUT/worker-<index>.properties}, and exports the model to {@code OUTPUT/model-<index>}.
 *
 * <p>With {@code poison}, every image outside the worker's shard (its {@code index} modulo the
 * number of workers, as the loop shards) is NaN: if a worker fed a single one, the training step
 * would fail the non-finite check.
 *
 * <pre>
 * TF_CONFIG=... java ... FashionMlpWorker OUTPUT EPOCHS TIMEOUT_SECONDS CHECKPOINT_STEPS [poison]
 * </pre>
 */
public final class FashionMlpWorker {

  private FashionMlpWorker() {}

  public static void main(String[] args) throws IOException {
    Path output = Path.of(args[0]);
    int epochs = Integer.parseInt(args[1]);
    Cluster cluster =
        Cluster.fromEnvironment().withTimeout(Duration.ofSeconds(Long.parseLong(args[2])));
    int checkpointSteps = Integer.parseInt(args[3]);
    boolean poison = args.length > 4 && args[4].equals("poison");

    FashionMnist data = FashionMnist.bundled();
    Dataset train = poison ? poisonOutsideShard(data.train(), cluster) : data.train();
    Path own = output.resolve("worker-" + cluster.taskIndex());
    LoopOptions options =
        options(epochs)
            .cluster(cluster)
            .checkpoints(
                CheckpointPolicy.in(own.resolve("checkpoints")).everySteps(checkpointSteps))
            .listener(TensorBoard.to(own.resolve("runs")).everySteps(50))
            .listener(
                new TrainingListener() {
                  @Override
                  public void onBatchEnd(FitControl control, int epoch, int batch) {
                    System.out.println("step " + control.globalStep());
                    System.out.flush();
                  }
                })
            .build();
    try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
      History history = loop.resume(train);
      Evaluation test = loop.evaluate(data.test());
      loop.exportSavedModel(output.resolve("model-" + cluster.taskIndex()));
      Properties results = new Properties();
      results.setProperty("global_step", Long.toString(loop.globalStep()));
      results.setProperty("epochs", Integer.toString(history.epochs().size()));
      results.setProperty("test_accuracy", Double.toString(test.get("accuracy")));
      try (OutputStream out =
          Files.newOutputStream(output.resolve("worker-" + cluster.taskIndex() + ".properties"))) {
        results.store(out, null);
      }
    }
  }

  /**
   * The options every run of the test shares, in a cluster or not. Without shuffling, global batch
   * {@code k} is examples {@code 32k .. 32k + 31} in one process, and the union of both workers'
   * batches {@code k} on a two-worker cluster (the even and the odd ones): the same batches. The
   * non-finite check stops a fit that feeds a NaN image.
   */
  static LoopOptions.Builder options(int epochs) {
    return LoopOptions.builder()
        .epochs(epochs)
        .shuffle(false)
        .nonFinite(NonFinite.STOP)
        .intraOpThreads(1)
        .interOpThreads(2);
  }

  /** {@code data} with every image outside this worker's shard made NaN. */
  private static Dataset poisonOutsideShard(Dataset data, Cluster cluster) {
    FloatColumn images = (FloatColumn) data.column("image");
    float[] pixels = images.values().clone();
    int perImage = images.exampleLength();
    int workers = cluster.workers().size();
    for (int example = 0; example < data.size(); example++) {
      if (example % workers != cluster.taskIndex()) {
        Arrays.fill(pixels, example * perImage, (example + 1) * perImage, Float.NaN);
      }
    }
    return Dataset.builder()
        .add("image", Column.of(pixels, images.exampleShape()))
        .add("label", data.column("label"))
        .build();
  }
}
