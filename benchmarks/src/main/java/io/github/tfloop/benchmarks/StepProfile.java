package io.github.tfloop.benchmarks;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where a step's time goes: TensorFlow's own trace ({@code RunOptions.FULL_TRACE}) of one training
 * step, summed by op type, next to the wall-clock and process CPU time of an untraced step. By
 * default it traces the hand-written loop (the baseline): what a generated loop can remove is the
 * part of the step outside the kernels. With {@code --precision bf16} it also traces the baseline
 * with Grappler's bfloat16 rewriter and tfloop's own graph in float32 and in mixed bfloat16, before
 * and after. {@code java ... StepProfile [steps] [--precision bf16]}.
 */
public final class StepProfile {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private StepProfile() {}

  /** A traced contender: its name, one untraced step, and the runner of one step to trace. */
  private interface Traced extends AutoCloseable {
    void step(float[] images, int[] labels);

    Session.Runner runner();

    @Override
    void close();
  }

  public static void main(String[] args) {
    int steps = 500;
    Precision precision = Precision.FLOAT32;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--precision")) {
        precision = Interleaved.precision(args[++i]);
      } else {
        steps = Integer.parseInt(args[i]);
      }
    }
    System.out.println(
        "| network | batch | contender | wall µs/step | CPU µs/step | kernel µs/step | optimizer"
            + " (Adam) | matmul/conv | pooling | casts | other kernels |");
    System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    Object[][] cases = {
      {Network.MLP, 32, steps}, {Network.MLP, 128, steps},
      {Network.MLP, 512, steps / 4}, {Network.CNN, 64, steps / 20}
    };
    for (Object[] c : cases) {
      Network network = (Network) c[0];
      int batchSize = (Integer) c[1];
      int count = (Integer) c[2];
      for (String contender : contenders(precision)) {
        try (Traced traced = open(contender, network, batchSize, precision)) {
          profile(contender, traced, network, batchSize, count);
        }
      }
    }
  }

  private static List<String> contenders(Precision precision) {
    List<String> contenders = new ArrayList<>();
    contenders.add(Labels.HAND_WRITTEN);
    if (precision != Precision.FLOAT32) {
      contenders.add(Labels.HAND_WRITTEN_REWRITER);
      contenders.add("tfloop, " + Labels.precision(Precision.FLOAT32));
      contenders.add("tfloop, " + Labels.precision(precision));
    }
    return contenders;
  }

  private static Traced open(
      String contender, Network network, int batchSize, Precision precision) {
    if (contender.startsWith("hand-written")) {
      HandWritten loop =
          new HandWritten(network, batchSize, contender.equals(Labels.HAND_WRITTEN_REWRITER));
      return new Traced() {
        @Override
        public void step(float[] images, int[] labels) {
          loop.step(images, labels);
        }

        @Override
        public Session.Runner runner() {
          return loop.runner();
        }

        @Override
        public void close() {
          loop.close();
        }
      };
    }
    Precision traced =
        contender.endsWith(Labels.precision(Precision.FLOAT32)) ? Precision.FLOAT32 : precision;
    TracedLoop loop =
        new TracedLoop(
            network, LoopOptions.builder().batchSize(batchSize).precision(traced).build());
    return new Traced() {
      @Override
      public void step(float[] images, int[] labels) {
        loop.put(images, labels);
        loop.runner().run().close();
      }

      @Override
      public Session.Runner runner() {
        return loop.runner();
      }

      @Override
      public void close() {
        loop.close();
      }
    };
  }

  private static void profile(
      String contender, Traced loop, Network network, int batchSize, int steps) {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
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
    long pooling = byType.getOrDefault("pooling", 0L);
    long casts = byType.getOrDefault("casts", 0L);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %s | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% |%n",
        network,
        batchSize,
        contender,
        wallMicros,
        cpuMicros,
        (double) kernels / steps,
        100.0 * optimizer / kernels,
        100.0 * linear / kernels,
        100.0 * pooling / kernels,
        100.0 * casts / kernels,
        100.0 * (kernels - optimizer - linear - pooling - casts) / kernels);
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
    if (type.contains("Pool")) {
      return "pooling";
    }
    if (type.equals("Cast")) {
      return "casts";
    }
    return type;
  }
}
