package io.github.tfloop.sample;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.monitor.ConsoleLogger;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The main job: trains {@link FashionMlp} (or {@link FashionCnn}) on Fashion-MNIST and prints each
 * epoch's loss, accuracy and time, then the test accuracy.
 *
 * <pre>
 * java ... io.github.tfloop.sample.FashionMnistTraining [--model mlp|cnn] [--epochs N]
 *     [--data DIR | --subset]
 * </pre>
 *
 * <p>Data: {@code --data DIR} reads the IDX files in DIR; otherwise the full set from {@code
 * /usr/share/datasets/fashion-mnist} when installed, else the bundled subset ({@code --subset}
 * forces it). A tenth of the training images, chosen by a seeded shuffle, is held out for
 * validation.
 */
public final class FashionMnistTraining {

  private FashionMnistTraining() {}

  public static void main(String[] args) throws IOException {
    int epochs = 10;
    String model = "mlp";
    Path data = null;
    boolean subset = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, "--epochs"));
        case "--model" -> model = value(args, ++i, "--model");
        case "--data" -> data = Path.of(value(args, ++i, "--data"));
        case "--subset" -> subset = true;
        default -> throw new IllegalArgumentException(
            "unknown argument '" + args[i]
                + "'; use --model mlp|cnn, --epochs N, --data DIR or --subset");
      }
    }
    FashionMnist mnist =
        data != null ? FashionMnist.load(data)
            : subset ? FashionMnist.bundled() : FashionMnist.fullIfInstalled();
    Dataset.Split split = mnist.train().split(0.1, 42);
    System.out.printf(Locale.ROOT, "Fashion-MNIST (%s): %d training, %d validation, %d test images%n",
        mnist.source(), split.train().size(), split.validation().size(), mnist.test().size());

    LoopOptions options =
        LoopOptions.builder().epochs(epochs).listener(new ConsoleLogger()).build();
    long started = System.nanoTime();
    Evaluation test = switch (model) {
      case "mlp" -> {
        try (FashionMlpLoop loop = FashionMlpLoop.create(new FashionMlp(), options)) {
          loop.fit(split.train(), split.validation());
          yield loop.evaluate(mnist.test());
        }
      }
      case "cnn" -> {
        try (FashionCnnLoop loop = FashionCnnLoop.create(new FashionCnn(), options)) {
          loop.fit(split.train(), split.validation());
          yield loop.evaluate(mnist.test());
        }
      }
      default -> throw new IllegalArgumentException("--model must be mlp or cnn, got " + model);
    };
    System.out.printf(Locale.ROOT, "test (%s): loss %.4f  accuracy %.4f  (%d images, %.1f s in all)%n",
        model, test.get("loss"), test.get("accuracy"), test.examples(),
        (System.nanoTime() - started) / 1e9);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }
}
