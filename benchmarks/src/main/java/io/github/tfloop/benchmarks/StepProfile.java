package io.github.tfloop.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where the baseline's step goes: TensorFlow's own trace ({@code RunOptions.FULL_TRACE}) of the
 * hand-written loop, summed by op type, next to the wall-clock and process CPU time of an untraced
 * step. What a generated loop can remove is the part of the step outside the kernels; the kernels
 * are the same graph work in both. {@code java ... StepProfile [steps]}.
 */
public final class StepProfile {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StepProfile() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    System.out.println(
        "| network | batch | wall µs/step | CPU µs/step | kernel µs/step | optimizer (Adam) | matmul/conv | other kernels |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    profile(Network.MLP, 32, steps);
    profile(Network.MLP, 128, steps);
    profile(Network.MLP, 512, steps / 4);
    profile(Network.CNN, 64, steps / 20);
  }

  private static void profile(Network network, int batchSize, int steps) {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    try (HandWritten loop = new HandWritten(network, batchSize)) {
      for (int i = 0; i < steps; i++) {
        loop.step(data.images(i % data.count()), data.labels(i % data.count()));
      }
      long wall = System.nanoTime();
      long cpu = OS.getProcessCpuTime();
      for (int i = 0; i < steps; i++) {
        loop.step(data.images(i % data.count()), data.labels(i % data.count()));
      }
      double wallMicros = (System.nanoTime() - wall) / 1e3 / steps;
      double cpuMicros = (OS.getProcessCpuTime() - cpu) / 1e3 / steps;
      Map<String, Long> byType = new TreeMap<>();
      RunOptions trace =
          RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      for (int i = 0; i < steps; i++) {
        try (Result result = loop.runner().setOptions(trace).runAndFetchMetadata()) {
          add(byType, result.getMetadata().orElseThrow());
        }
      }
      long kernels = byType.values().stream().mapToLong(Long::longValue).sum();
      long optimizer = byType.getOrDefault("optimizer", 0L);
      long linear = byType.getOrDefault("linear", 0L);
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %.0f%% |%n",
          network,
          batchSize,
          wallMicros,
          cpuMicros,
          (double) kernels / steps,
          100.0 * optimizer / kernels,
          100.0 * linear / kernels,
          100.0 * (kernels - optimizer - linear) / kernels);
    }
  }

  private static void add(Map<String, Long> byType, RunMetadata metadata) {
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        String label = node.getTimelineLabel();
        String type = label.contains("= ") ? label.substring(label.indexOf("= ") + 2) : label;
        type = type.contains("(") ? type.substring(0, type.indexOf('(')) : type;
        byType.merge(group(type.trim()), node.getAllEndRelMicros(), Long::sum);
      }
    }
  }

  private static String group(String type) {
    if (type.contains("Adam")) {
      return "optimizer";
    }
    if (type.contains("MatMul") || type.contains("Conv2D")) {
      return "linear";
    }
    return type;
  }
}
