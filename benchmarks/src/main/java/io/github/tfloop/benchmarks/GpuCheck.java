package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import java.util.List;
import java.util.Locale;

/**
 * Steps per second of the generated loops with the graph on {@code /GPU:0} and on {@code /CPU:0}:
 * the MLP at batch 32 and 512 and the CNN at batch 64, with {@code fit} at 1 and 16 batches per
 * call. With {@code --log-placement} the GPU loops log where TensorFlow placed each op, which
 * {@code benchmarks/gpu-check.sh} reads. Placement is soft, so on a machine without a GPU (or with
 * the CPU native library) the "GPU" figures are CPU figures, and the log says so.
 */
public final class GpuCheck {

  private GpuCheck() {}

  /** {@code [--log-placement] [seconds per figure, default 10]}. */
  public static void main(String[] args) {
    boolean logPlacement = List.of(args).contains("--log-placement");
    double seconds = 10;
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        seconds = Double.parseDouble(arg);
      }
    }
    System.out.println(
        "| network | batch | batches/call | GPU steps/s | CPU steps/s | GPU / CPU |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Object[] c : new Object[][] {{Network.MLP, 32}, {Network.MLP, 512}, {Network.CNN, 64}}) {
      Network network = (Network) c[0];
      int batchSize = (Integer) c[1];
      TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
      for (int stepsPerExecution : new int[] {1, 16}) {
        double gpu =
            stepsPerSecond(network, data, stepsPerExecution, "/GPU:0", logPlacement, seconds);
        double cpu = stepsPerSecond(network, data, stepsPerExecution, "/CPU:0", false, seconds);
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %d | %.0f | %.0f | %.2f× |%n",
            network,
            batchSize,
            stepsPerExecution,
            gpu,
            cpu,
            gpu / cpu);
      }
    }
  }

  private static double stepsPerSecond(
      Network network,
      TrainingData data,
      int stepsPerExecution,
      String device,
      boolean log,
      double seconds) {
    LoopOptions options =
        LoopOptions.builder()
            .batchSize(data.batchSize())
            .stepsPerExecution(stepsPerExecution)
            .device(device)
            .logDevicePlacement(log)
            .build();
    Dataset dataset = data.asDataset();
    try (Tfloop loop = Tfloop.create(network, options)) {
      loop.fit(dataset); // warm-up: first runs, kernel selection
      return Interleaved.stepsPerSecond(
          () -> {
            loop.fit(dataset);
            return data.count();
          },
          seconds);
    }
  }
}
