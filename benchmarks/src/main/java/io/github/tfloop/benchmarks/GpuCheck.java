package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import java.util.Locale;

/**
 * Steps per second of the generated loops with the graph on {@code /GPU:0} and on {@code /CPU:0}:
 * the MLP at batch 32 and 512 and the CNN at batch 64, with {@code fit} at 1 and 16 batches per
 * call. With {@code --log-placement} the GPU loops log where TensorFlow placed each op, which
 * {@code benchmarks/gpu-check.sh} reads. Placement is soft, so on a machine without a GPU (or with
 * the CPU native library) the "GPU" figures are CPU figures, and the log says so.
 */
public final class GpuCheck {

  private static final double SECONDS = 10;

  private GpuCheck() {}

  public static void main(String[] args) {
    boolean logPlacement = java.util.List.of(args).contains("--log-placement");
    System.out.println("| network | batch | batches/call | GPU steps/s | CPU steps/s | GPU / CPU |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Object[] c : new Object[][] {{Network.MLP, 32}, {Network.MLP, 512}, {Network.CNN, 64}}) {
      for (int stepsPerExecution : new int[] {1, 16}) {
        Network network = (Network) c[0];
        int batchSize = (Integer) c[1];
        double gpu = stepsPerSecond(network, batchSize, stepsPerExecution, "/GPU:0", logPlacement);
        double cpu = stepsPerSecond(network, batchSize, stepsPerExecution, "/CPU:0", false);
        System.out.printf(
            Locale.ROOT,
            "| %s | %d | %d | %.0f | %.0f | %.2f× |%n",
            network, batchSize, stepsPerExecution, gpu, cpu, gpu / cpu);
      }
    }
  }

  private static double stepsPerSecond(
      Network network, int batchSize, int stepsPerExecution, String device, boolean log) {
    TrainingData batches = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    Dataset data = batches.asDataset();
    LoopOptions options =
        LoopOptions.builder()
            .batchSize(batchSize)
            .stepsPerExecution(stepsPerExecution)
            .device(device)
            .logDevicePlacement(log)
            .build();
    try (Tfloop loop = Tfloop.create(network, options)) {
      loop.fit(data); // warm-up: first runs, kernel selection
      long started = System.nanoTime();
      int steps = 0;
      while (System.nanoTime() - started < SECONDS * 1e9) {
        loop.fit(data);
        steps += batches.count();
      }
      return steps / ((System.nanoTime() - started) / 1e9);
    }
  }
}
