package io.github.tfloop.sample;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.LocalCluster;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Measures training throughput on Fashion-MNIST: one process, then local clusters of one parameter
 * server and 1, 2, 4 workers (separate JVMs on 127.0.0.1), each training the same model with the
 * same global batch. Prints, for each, the best epoch's time and examples per second; when a worker
 * count is listed more than once (runs interleaved, as on a machine shared with other work), the
 * median of its runs at the end. Not a test: run it by hand (the {@code cluster-throughput} profile
 * of sample-project).
 *
 * <pre>ClusterThroughput [mlp|cnn] [EPOCHS] [WORKER COUNTS, such as 0,1,2,4 (0: one process)]</pre>
 *
 * <p>With {@code worker} as its first argument it is one process of a measurement instead: it
 * trains, and the chief (or the process alone) prints {@code epoch N STEPS NANOS} after each epoch.
 */
public final class ClusterThroughput {

  private ClusterThroughput() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("worker")) {
      train(args[1], Integer.parseInt(args[2]));
      return;
    }
    String model = args.length > 0 ? args[0] : "mlp";
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String counts = args.length > 2 ? args[2] : "0,1,2,4";
    int batch = model.equals("cnn") ? 64 : 32;
    double alone = 0;
    Map<Integer, List<Double>> runs = new TreeMap<>();
    System.out.printf(
        Locale.ROOT,
        "%s, global batch %d, bundled subset (6,000 images), %d epochs," + " %d cores%n",
        model,
        batch,
        epochs,
        Runtime.getRuntime().availableProcessors());
    for (String count : counts.split(",")) {
      int workers = Integer.parseInt(count.trim());
      List<String> lines = workers == 0 ? alone(model, epochs) : cluster(model, epochs, workers);
      long steps = 0;
      long best = Long.MAX_VALUE;
      for (String line : lines) {
        if (line.startsWith("epoch ")) {
          String[] fields = line.split(" ");
          steps = Long.parseLong(fields[2]);
          best = Math.min(best, Long.parseLong(fields[3]));
        }
      }
      if (steps == 0) {
        throw new IllegalStateException("no epoch was reported:\n" + String.join("\n", lines));
      }
      double examplesPerSecond = steps * batch / (best / 1e9);
      alone = workers == 0 ? examplesPerSecond : alone;
      runs.computeIfAbsent(workers, w -> new ArrayList<>()).add(examplesPerSecond);
      System.out.printf(
          Locale.ROOT,
          "%-14s best epoch %6.2f s  %7.0f examples/s  %5.1f ms/step%s%n",
          workers == 0 ? "one process" : workers + " worker" + (workers > 1 ? "s" : "") + " + ps",
          best / 1e9,
          examplesPerSecond,
          best / 1e6 / steps,
          alone > 0 && workers > 0
              ? String.format(Locale.ROOT, "  (%.2fx one process)", examplesPerSecond / alone)
              : "");
    }
    if (runs.values().stream().anyMatch(list -> list.size() > 1)) {
      double medianAlone = runs.containsKey(0) ? median(runs.get(0)) : 0;
      runs.forEach(
          (workers, list) ->
              System.out.printf(
                  Locale.ROOT,
                  "median of %d: %-14s %7.0f examples/s  %5.1f ms/step%s%n",
                  list.size(),
                  workers == 0
                      ? "one process"
                      : workers + " worker" + (workers > 1 ? "s" : "") + " + ps",
                  median(list),
                  batch * 1e3 / median(list),
                  medianAlone > 0 && workers > 0
                      ? String.format(
                          Locale.ROOT, "  (%.2fx one process)", median(list) / medianAlone)
                      : ""));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static List<String> alone(String model, int epochs) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx2g",
                "-cp",
                System.getProperty("java.class.path"),
                ClusterThroughput.class.getName(),
                "worker",
                model,
                String.valueOf(epochs)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove(Cluster.ENVIRONMENT_VARIABLE);
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        lines.add(line);
      }
    }
    if (process.waitFor() != 0) {
      throw new IllegalStateException("the process failed:\n" + String.join("\n", lines));
    }
    return lines;
  }

  private static List<String> cluster(String model, int epochs, int workers) throws Exception {
    ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    try (LocalCluster cluster =
        LocalCluster.builder()
            .parameterServers(1)
            .workers(workers)
            .javaOption("-Xmx2g")
            .mainClass(ClusterThroughput.class.getName())
            .arguments("worker", model, String.valueOf(epochs))
            .output((task, line) -> lines.add(task.equals("worker 0") ? line : task + ": " + line))
            .start()) {
      if (!cluster.awaitWorkers(Duration.ofMinutes(30)) || cluster.awaitWorkers() != 0) {
        throw new IllegalStateException("the cluster failed:\n" + String.join("\n", lines));
      }
    }
    return new ArrayList<>(lines);
  }

  /** One process of a measurement: trains, and reports each epoch if it is the chief or alone. */
  private static void train(String model, int epochs) throws IOException {
    Dataset train = FashionMnist.bundled().train();
    LoopOptions.Builder options =
        LoopOptions.builder()
            .epochs(epochs)
            .listener(
                new TrainingListener() {
                  @Override
                  public void onEpochEnd(FitControl control, EpochLog log) {
                    System.out.println(
                        "epoch "
                            + log.epoch()
                            + " "
                            + log.steps()
                            + " "
                            + log.duration().toNanos());
                  }
                });
    if (Cluster.inEnvironment()) {
      options.cluster(Cluster.fromEnvironment());
    }
    Consumer<Dataset> fit =
        switch (model) {
          case "mlp" ->
              data -> {
                try (FashionMlpLoop loop =
                    FashionMlpLoop.create(new FashionMlp(), options.build())) {
                  loop.fit(data);
                }
              };
          case "cnn" ->
              data -> {
                try (FashionCnnLoop loop =
                    FashionCnnLoop.create(new FashionCnn(), options.build())) {
                  loop.fit(data);
                }
              };
          default -> throw new IllegalArgumentException("model must be mlp or cnn, got " + model);
        };
    fit.accept(train);
  }
}
