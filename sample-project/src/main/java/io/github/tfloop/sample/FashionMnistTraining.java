package io.github.tfloop.sample;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.ParameterServer;
import io.github.tfloop.monitor.ConsoleLogger;
import io.github.tfloop.monitor.Progress;
import io.github.tfloop.monitor.TensorBoard;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The main job: trains {@link FashionMlp} (or {@link FashionCnn}) on Fashion-MNIST and prints each
 * epoch's loss, accuracy and time, then the test accuracy.
 *
 * <pre>
 * java ... io.github.tfloop.sample.FashionMnistTraining [--model mlp|cnn|finetune] [--epochs N]
 *     [--data DIR | --subset] [--logdir DIR] [--checkpoints DIR] [--export DIR]
 *     [--cluster-timeout SECONDS] [--precision f32|bf16|f16] [--seed N]
 * </pre>
 *
 * <p>{@code --model finetune} runs {@link FashionFineTuning} instead, with the other arguments.
 *
 * <p>Data: {@code --data DIR} reads the IDX files in DIR; otherwise the full set from {@code
 * /usr/share/datasets/fashion-mnist} when installed, else the bundled subset ({@code --subset}
 * forces it). A tenth of the training images, chosen by a seeded shuffle, is held out for
 * validation.
 *
 * <p>{@code --logdir DIR} writes TensorBoard event files ({@code tensorboard --logdir DIR}); {@code
 * --checkpoints DIR} saves a checkpoint every 500 steps, after each epoch and on Ctrl-C, and
 * resumes from the newest one when run again; {@code --export DIR} writes the trained model as a
 * SavedModel. {@code --precision bf16} trains in mixed bfloat16 precision ({@code
 * Precision.MIXED_BFLOAT16}: bfloat16 matrix products and convolutions, float32 weights), {@code
 * f16} in mixed float16 with loss scaling (for GPUs); {@code f32}, the default, in float32. {@code
 * --seed N} replaces the model's seed (42), which draws the initial weights, the order of the
 * batches and the random augmentation and dropout.
 *
 * <p>With {@code TF_CONFIG} set (as {@code io.github.tfloop.distributed.LocalCluster} sets it), the
 * process is one task of a cluster: a parameter server serves, a worker trains its shard of the
 * data. Only the chief (worker 0) writes logs, checkpoints and the export; every worker evaluates
 * the trained model on the test set.
 */
public final class FashionMnistTraining {

  private FashionMnistTraining() {}

  public static void main(String[] args) throws Exception {
    if (FashionFineTuning.handles(args)) { // --model finetune: a job of its own
      FashionFineTuning.main(FashionFineTuning.withoutModel(args));
      return;
    }
    int epochs = 10;
    String model = "mlp";
    Path data = null;
    boolean subset = false;
    Path logDir = null;
    Path checkpoints = null;
    Path export = null;
    Duration clusterTimeout = Cluster.DEFAULT_TIMEOUT;
    Precision precision = Precision.FLOAT32;
    Long seed = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, "--epochs"));
        case "--model" -> model = value(args, ++i, "--model");
        case "--data" -> data = Path.of(value(args, ++i, "--data"));
        case "--subset" -> subset = true;
        case "--logdir" -> logDir = Path.of(value(args, ++i, "--logdir"));
        case "--checkpoints" -> checkpoints = Path.of(value(args, ++i, "--checkpoints"));
        case "--export" -> export = Path.of(value(args, ++i, "--export"));
        case "--precision" -> precision = precision(value(args, ++i, "--precision"));
        case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
        case "--cluster-timeout" ->
            clusterTimeout =
                Duration.ofSeconds(Long.parseLong(value(args, ++i, "--cluster-timeout")));
        default ->
            throw new IllegalArgumentException(
                "unknown argument '"
                    + args[i]
                    + "'; use --model mlp|cnn|finetune, --epochs N, --data DIR,"
                    + " --subset, --logdir DIR, --checkpoints DIR, --export DIR,"
                    + " --cluster-timeout SECONDS, --precision f32|bf16|f16 or --seed N");
      }
    }
    Cluster cluster =
        Cluster.inEnvironment() ? Cluster.fromEnvironment().withTimeout(clusterTimeout) : null;
    if (cluster != null && cluster.isParameterServer()) {
      ParameterServer.serve(cluster);
    }
    FashionMnist mnist =
        data != null
            ? FashionMnist.load(data)
            : subset ? FashionMnist.bundled() : FashionMnist.fullIfInstalled();
    Dataset.Split split = mnist.train().split(0.1, 42);
    System.out.printf(
        Locale.ROOT,
        "Fashion-MNIST (%s): %d training, %d validation, %d test images%n",
        mnist.source(),
        split.train().size(),
        split.validation().size(),
        mnist.test().size());

    LoopOptions.Builder options =
        LoopOptions.builder()
            .epochs(epochs)
            .precision(precision)
            .listener(Progress.toConsole())
            .listener(new ConsoleLogger());
    if (seed != null) {
      options.seed(seed);
    }
    if (logDir != null) {
      options.listener(TensorBoard.to(logDir).everySteps(100).histograms(1));
    }
    if (checkpoints != null) {
      options.checkpoints(CheckpointPolicy.in(checkpoints).everySteps(500));
    }
    if (cluster != null) {
      options.cluster(cluster);
      System.out.println(
          "cluster: this process is "
              + cluster.describeTask()
              + (cluster.isChief() ? ", the chief" : ""));
    }
    long started = System.nanoTime();
    LoopOptions built = options.build();
    boolean exports = export != null && (cluster == null || cluster.isChief());
    Job job = new Job(split, mnist.test(), checkpoints != null, exports ? export : null);
    Evaluation test =
        switch (model) {
          case "mlp" -> {
            try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), built)) {
              yield job.run(loop::fit, loop::resume, loop::exportSavedModel, loop::evaluate);
            }
          }
          case "cnn" -> {
            try (FashionCnnLoop loop = FashionCnnLoop.create(new FashionCnn(), built)) {
              yield job.run(loop::fit, loop::resume, loop::exportSavedModel, loop::evaluate);
            }
          }
          default ->
              throw new IllegalArgumentException(
                  "--model must be mlp, cnn or finetune, got " + model);
        };
    System.out.printf(
        Locale.ROOT,
        "test (%s, %s): loss %.4f  accuracy %.4f  (%d images, %.1f s in all)%n",
        model,
        precision,
        test.get("loss"),
        test.get("accuracy"),
        test.examples(),
        (System.nanoTime() - started) / 1e9);
    if (exports) {
      System.out.println("SavedModel written to " + export);
    }
  }

  /** What the main job does with a loop, whichever model it trains. */
  private record Job(Dataset.Split split, Dataset test, boolean resume, Path export) {

    Evaluation run(
        BiFunction<Dataset, Dataset, History> fit,
        BiFunction<Dataset, Dataset, History> resume,
        Consumer<Path> exporter,
        Function<Dataset, Evaluation> evaluate) {
      (this.resume ? resume : fit).apply(split.train(), split.validation());
      if (export != null) {
        exporter.accept(export);
      }
      return evaluate.apply(test);
    }
  }

  /** The precision {@code --precision} names: f32, bf16 or f16. */
  static Precision precision(String name) {
    return switch (name) {
      case "f32", "float32" -> Precision.FLOAT32;
      case "bf16", "bfloat16" -> Precision.MIXED_BFLOAT16;
      case "f16", "float16" -> Precision.MIXED_FLOAT16;
      default ->
          throw new IllegalArgumentException(
              "--precision must be f32, bf16 or f16, got '" + name + "'");
    };
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }
}
