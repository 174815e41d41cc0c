package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.util.List;
import java.util.Locale;

/**
 * Steps per second of the generated loops with the graph on {@code /GPU:0} and on {@code /CPU:0}:
 * the MLP at batch 32 and 512 and the CNN at batch 64, with {@code fit} at 1 and 16 batches per
 * call. With {@code --log-placement} the GPU loops log where TensorFlow placed each op, which
 * {@code benchmarks/gpu-check.sh} reads; with {@code --precision f16} (or {@code bf16}) the GPU
 * loops train in that mixed precision, against the same loops in float32 on the CPU. Placement is
 * soft, so on a machine without a GPU (or with the CPU native library) the "GPU" figures are CPU
 * figures, and the log says so.
 */
public final class GpuCheck {

  private GpuCheck() {}

  /**
   * {@code [--log-placement] [--precision f32|f16|bf16] [--no-header] [seconds per figure, default
   * 10]}.
   */
  public static void main(String[] args) {
    boolean logPlacement = List.of(args).contains("--log-placement");
    boolean header = !List.of(args).contains("--no-header");
    Precision precision = Precision.FLOAT32;
    double seconds = 10;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--precision")) {
        precision = Interleaved.precision(args[++i]);
      } else if (!args[i].startsWith("--")) {
        seconds = Double.parseDouble(args[i]);
      }
    }
    if (header) {
      System.out.println(
          "| network | batch | batches/call | GPU precision | GPU steps/s | CPU float32 steps/s"
              + " | GPU / CPU |");
      System.out.println("|---|---:|---:|---|---:|---:|---:|");
    }
    for (Object[] c : new Object[][] {{Network.MLP, 32}, {Network.MLP, 512}, {Network.CNN, 64}}) {
      Network network = (Network) c[0];
      int batchSize = (Integer) c[1];
      TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
      for (int stepsPerExecution : new int[] {1, 16}) {
        double gpu =
            stepsPerSecond(
                network, data, stepsPerExecution, "/GPU:0", precision, logPlacement, seconds);
        double cpu =
            stepsPerSecond(
                network, data, stepsPerExecution, "/CPU:0", Precision.FLOAT32, false, seconds);
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %d | %s | %.0f | %.0f | %.2f× |%n",
            network,
            batchSize,
            stepsPerExecution,
            Labels.precision(precision),
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
      Precision precision,
      boolean log,
      double seconds) {
    LoopOptions options =
        LoopOptions.builder()
            .precision(precision)
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
