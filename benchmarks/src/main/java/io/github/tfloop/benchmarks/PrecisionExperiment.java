package io.github.tfloop.benchmarks;

import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** EXPERIMENT (not kept): mechanisms of bfloat16, interleaved. */
public final class PrecisionExperiment {
  static void trace(Network network, int batch, int steps, String what) {
    TrainingData data = TrainingData.batches(batch, TrainingStepBenchmark.BATCHES);
    java.util.function.Supplier<org.tensorflow.Session.Runner> runner;
    AutoCloseable closer;
    if (what.startsWith("hand")) {
      HandWritten h = new HandWritten(network, batch, what.equals("hand-rewriter"));
      h.step(data.images(0), data.labels(0));
      runner = h::runner;
      closer = h;
    } else {
      if (!what.equals("f32")) System.setProperty("tfloop.bf16", what);
      TracedLoop t =
          new TracedLoop(
              network,
              LoopOptions.builder()
                  .batchSize(batch)
                  .precision(what.equals("f32") ? Precision.FLOAT32 : Precision.MIXED_BFLOAT16)
                  .build());
      t.put(data.images(0), data.labels(0));
      runner = t::runner;
      closer = t;
    }
    for (int i = 0; i < 20; i++) runner.get().run().close();
    java.util.Map<String, Long> by = new java.util.TreeMap<>();
    org.tensorflow.proto.RunOptions trace =
        org.tensorflow.proto.RunOptions.newBuilder()
            .setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE)
            .build();
    long wall = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      try (org.tensorflow.Result r = runner.get().setOptions(trace).runAndFetchMetadata()) {
        for (var d : r.getMetadata().orElseThrow().getStepStats().getDevStatsList())
          for (var n : d.getNodeStatsList()) {
            String l = n.getTimelineLabel();
            String t = l.contains("= ") ? l.substring(l.indexOf("= ") + 2) : l;
            t = t.contains("(") ? t.substring(0, t.indexOf('(')) : t;
            by.merge(t.trim(), n.getAllEndRelMicros(), Long::sum);
          }
      }
    }
    double w = (System.nanoTime() - wall) / 1e3 / steps;
    long total = by.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf(
        "== %s %s %d: wall %.0f us/step (traced), kernels %.0f us/step%n",
        network, what, batch, w, (double) total / steps);
    by.entrySet().stream()
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .limit(16)
        .forEach(
            e ->
                System.out.printf(
                    "   %-40s %8.0f us%n", e.getKey(), (double) e.getValue() / steps));
    try {
      closer.close();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("trace")) {
      trace(
          Network.valueOf(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4]);
      return;
    }
    Network network = Network.valueOf(args[0]);
    int batch = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    double seconds = Double.parseDouble(args[3]);
    TrainingData data = TrainingData.batches(batch, TrainingStepBenchmark.BATCHES);
    List<String> names = new ArrayList<>();
    List<Contender> contenders = new ArrayList<>();
    names.add("hand f32");
    contenders.add(new HandWritten(network, batch));
    names.add("hand rewriter");
    contenders.add(new HandWritten(network, batch, true));
    names.add("tfloop f32");
    contenders.add(Tfloop.create(network, LoopOptions.builder().batchSize(batch).build()));
    for (String mechanism : Arrays.copyOfRange(args, 4, args.length)) {
      System.setProperty("tfloop.bf16", mechanism);
      names.add("tfloop bf16 " + mechanism);
      contenders.add(
          Tfloop.create(
              network,
              LoopOptions.builder().batchSize(batch).precision(Precision.MIXED_BFLOAT16).build()));
    }
    double[][] rates = new double[contenders.size()][rounds];
    double[][] cpu = new double[contenders.size()][rounds];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    int[] next = new int[contenders.size()];
    for (int round = -1; round < rounds; round++) {
      for (int i = 0; i < contenders.size(); i++) {
        Contender c = contenders.get(i);
        int k = i;
        int[] count = {0};
        long cpuBefore = os.getProcessCpuTime();
        double rate =
            Interleaved.stepsPerSecond(
                () -> {
                  c.step(data.images(next[k]), data.labels(next[k]));
                  next[k] = (next[k] + 1) % data.count();
                  count[0]++;
                  return 1;
                },
                seconds);
        if (round >= 0) {
          rates[i][round] = rate;
          cpu[i][round] = (os.getProcessCpuTime() - cpuBefore) / 1e3 / count[0];
        }
      }
    }
    for (int i = 0; i < contenders.size(); i++) {
      Arrays.sort(rates[i]);
      Arrays.sort(cpu[i]);
    }
    for (int i = 0; i < contenders.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.1f | %.2f× | min %.1f max %.1f | %.0f | %.2f× |%n",
          network,
          batch,
          names.get(i),
          rates[i][rounds / 2],
          rates[i][rounds / 2] / rates[0][rounds / 2],
          rates[i][0],
          rates[i][rounds - 1],
          cpu[i][rounds / 2],
          cpu[0][rounds / 2] / cpu[i][rounds / 2]);
      contenders.get(i).close();
    }
  }
}
