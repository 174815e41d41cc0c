package io.github.tfloop.benchmarks;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;

/**
 * Runs tfloop's training step of a network {@code steps} times, nothing else, so that oneDNN's
 * verbose log ({@code ONEDNN_VERBOSE=1}) shows which kernels the step runs and how long each takes:
 * {@code java ... OnednnSteps MLP|CNN batch f32|bf16 steps}. {@code benchmarks/onednn-verbose.sh}
 * runs it and sums the log by kernel.
 */
public final class OnednnSteps {

  private OnednnSteps() {}

  public static void main(String[] args) {
    Network network = Network.valueOf(args[0]);
    int batchSize = Integer.parseInt(args[1]);
    Precision precision = Interleaved.precision(args[2]);
    int steps = Integer.parseInt(args[3]);
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    LoopOptions options = LoopOptions.builder().batchSize(batchSize).precision(precision).build();
    try (TracedLoop loop = new TracedLoop(network, options)) {
      for (int i = 0; i < steps; i++) {
        loop.put(data.images(i % data.count()), data.labels(i % data.count()));
        loop.runner().run().close();
      }
    }
  }
}
