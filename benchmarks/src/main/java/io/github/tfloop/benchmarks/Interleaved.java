package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * Ratios that survive a shared machine: the contenders of one case live in one JVM and take turns,
 * round after round, so a change in the machine's load hits them all alike; each contender's figure
 * is its median over the rounds. (JMH runs each contender in its own fork, one after the other, so
 * load that comes and goes between forks moves their ratios.) {@code java ... Interleaved [rounds]
 * [seconds per turn] [--precision bf16]}.
 *
 * <p>With {@code --precision bf16} the first table compares mixed bfloat16 precision instead: the
 * hand-written float32 loop, the same loop with Grappler's oneDNN bfloat16 rewriter switched on
 * (what a careful hand-writer can do), tfloop's float32 {@code step()}, and tfloop's {@code step()}
 * and {@code fit} in {@code Precision.MIXED_BFLOAT16}; each row also gives the process CPU time per
 * step (median), which moves less than steps per second when other processes share the machine. The
 * thread-settings table then runs in bfloat16 too.
 */
public final class Interleaved {

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  private final int rounds;
  private final double secondsPerTurn;
  private final Precision precision;

  private Interleaved(int rounds, double secondsPerTurn, Precision precision) {
    this.rounds = rounds;
    this.secondsPerTurn = secondsPerTurn;
    this.precision = precision;
  }

  /** One contender: a name and an action that trains some batches and returns how many. */
  private record Turn(String name, IntSupplier trainBatches, AutoCloseable resource) {}

  /** Each turn's median steps per second and median process CPU microseconds per step. */
  private record Medians(double[] stepsPerSecond, double[] cpuMicrosPerStep) {}

  public static void main(String[] args) throws Exception {
    List<String> numbers = new ArrayList<>();
    Precision precision = Precision.FLOAT32;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--precision")) {
        precision = precision(args[++i]);
      } else {
        numbers.add(args[i]);
      }
    }
    int rounds = numbers.size() > 0 ? Integer.parseInt(numbers.get(0)) : 10;
    double seconds = numbers.size() > 1 ? Double.parseDouble(numbers.get(1)) : 1;
    Interleaved run = new Interleaved(rounds, seconds, precision);
    if (precision == Precision.FLOAT32) {
      System.out.println(
          "| network | batch | contender | steps/s (median) | vs hand-written | vs DJL |");
      System.out.println("|---|---:|---|---:|---:|---:|");
      run.contenders(Network.MLP, 32);
      run.contenders(Network.MLP, 128);
      run.contenders(Network.MLP, 512);
      run.contenders(Network.CNN, 64);
    } else {
      System.out.println(
          "| network | batch | contender | steps/s (median) | vs hand-written | vs hand-written"
              + " + rewriter | vs tfloop float32 | CPU µs/step (median) | CPU vs hand-written |");
      System.out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|");
      run.precisions(Network.MLP, 32);
      run.precisions(Network.MLP, 128);
      run.precisions(Network.MLP, 512);
      run.precisions(Network.CNN, 64);
    }
    System.out.println();
    System.out.println(
        "| network | batch | intra:inter threads | steps/s (median) | vs TensorFlow's choice | CPU"
            + " µs/step (median) |");
    System.out.println("|---|---:|---|---:|---:|---:|");
    run.threadSettings(Network.MLP, 32);
    run.threadSettings(Network.MLP, 512);
    run.threadSettings(Network.CNN, 64);
  }

  private void contenders(Network network, int batchSize) throws Exception {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    List<Turn> turns = new ArrayList<>();
    turns.add(stepping(Labels.HAND_WRITTEN, new HandWritten(network, batchSize), data));
    turns.add(
        stepping(
            Labels.tfloopStep("native"),
            Tfloop.create(network, LoopOptions.builder().batchSize(batchSize).build()),
            data));
    turns.add(
        stepping(
            Labels.tfloopStep("native") + ", `NonFinite.STOP`",
            Tfloop.create(
                network,
                LoopOptions.builder().batchSize(batchSize).nonFinite(NonFinite.STOP).build()),
            data));
    for (int stepsPerExecution : new int[] {1, 16}) {
      turns.add(
          fitting(
              Labels.tfloopFit(stepsPerExecution),
              network,
              LoopOptions.builder().batchSize(batchSize).stepsPerExecution(stepsPerExecution),
              data));
    }
    turns.add(stepping(Labels.DJL, new Djl(network, batchSize), data));
    double[] medians = medians(turns).stepsPerSecond();
    for (int i = 0; i < turns.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.2f× | %.2f× |%n",
          network,
          batchSize,
          turns.get(i).name(),
          medians[i],
          medians[i] / medians[0],
          medians[i] / medians[turns.size() - 1]);
    }
  }

  /**
   * The float32 baseline against mixed precision: the hand-written loop without and with Grappler's
   * bfloat16 rewriter, tfloop's {@code step()} in float32 and in the run's precision, and tfloop's
   * {@code fit} (one batch per call) in the run's precision.
   */
  private void precisions(Network network, int batchSize) throws Exception {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    List<Turn> turns = new ArrayList<>();
    turns.add(stepping(Labels.HAND_WRITTEN, new HandWritten(network, batchSize), data));
    turns.add(
        stepping(Labels.HAND_WRITTEN_REWRITER, new HandWritten(network, batchSize, true), data));
    turns.add(
        stepping(
            Labels.tfloopStep("native") + ", " + Labels.precision(Precision.FLOAT32),
            Tfloop.create(network, LoopOptions.builder().batchSize(batchSize).build()),
            data));
    turns.add(
        stepping(
            Labels.tfloopStep("native") + ", " + Labels.precision(precision),
            Tfloop.create(
                network, LoopOptions.builder().batchSize(batchSize).precision(precision).build()),
            data));
    turns.add(
        fitting(
            Labels.tfloopFit(1) + ", " + Labels.precision(precision),
            network,
            LoopOptions.builder().batchSize(batchSize).precision(precision),
            data));
    Medians medians = medians(turns);
    double[] rates = medians.stepsPerSecond();
    double[] cpu = medians.cpuMicrosPerStep();
    for (int i = 0; i < turns.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.2f× | %.2f× | %.2f× | %.0f | %.2f× |%n",
          network,
          batchSize,
          turns.get(i).name(),
          rates[i],
          rates[i] / rates[0],
          rates[i] / rates[1],
          rates[i] / rates[2],
          cpu[i],
          cpu[0] / cpu[i]);
    }
  }

  private void threadSettings(Network network, int batchSize) throws Exception {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    List<Turn> turns = new ArrayList<>();
    for (String threads : new String[] {"0:0", "1:1", "1:2", "2:1"}) {
      turns.add(
          fitting(
              threads,
              network,
              Tfloop.threads(LoopOptions.builder().batchSize(batchSize), threads)
                  .precision(precision),
              data));
    }
    Medians medians = medians(turns);
    double[] rates = medians.stepsPerSecond();
    for (int i = 0; i < turns.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.2f× | %.0f |%n",
          network,
          batchSize,
          turns.get(i).name(),
          rates[i],
          rates[i] / rates[0],
          medians.cpuMicrosPerStep()[i]);
    }
  }

  private static Turn stepping(String name, Contender contender, TrainingData data) {
    int[] next = {0};
    return new Turn(
        name,
        () -> {
          contender.step(data.images(next[0]), data.labels(next[0]));
          next[0] = (next[0] + 1) % data.count();
          return 1;
        },
        contender);
  }

  private static Turn fitting(
      String name, Network network, LoopOptions.Builder options, TrainingData data) {
    Tfloop loop = Tfloop.create(network, options.epochs(1).build());
    Dataset dataset = data.asDataset();
    return new Turn(
        name,
        () -> {
          loop.fit(dataset);
          return data.count();
        },
        loop);
  }

  /**
   * Each turn's median steps per second and process CPU time per step over the rounds, after one
   * warm-up round.
   */
  private Medians medians(List<Turn> turns) throws Exception {
    double[][] rates = new double[turns.size()][rounds];
    double[][] cpu = new double[turns.size()][rounds];
    try {
      for (int round = -1; round < rounds; round++) {
        for (int i = 0; i < turns.size(); i++) {
          IntSupplier train = turns.get(i).trainBatches();
          int[] steps = {0};
          long cpuBefore = OS.getProcessCpuTime();
          double rate =
              stepsPerSecond(
                  () -> {
                    int trained = train.getAsInt();
                    steps[0] += trained;
                    return trained;
                  },
                  secondsPerTurn);
          if (round >= 0) {
            rates[i][round] = rate;
            cpu[i][round] = (OS.getProcessCpuTime() - cpuBefore) / 1e3 / steps[0];
          }
        }
      }
    } finally {
      for (Turn turn : turns) {
        turn.resource().close();
      }
    }
    double[] rateMedians = new double[turns.size()];
    double[] cpuMedians = new double[turns.size()];
    for (int i = 0; i < turns.size(); i++) {
      Arrays.sort(rates[i]);
      Arrays.sort(cpu[i]);
      rateMedians[i] = rates[i][rounds / 2];
      cpuMedians[i] = cpu[i][rounds / 2];
    }
    return new Medians(rateMedians, cpuMedians);
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

  /**
   * Steps per second of {@code trainBatches} (which returns how many batches it trained), called
   * until {@code seconds} have passed, at least once.
   */
  static double stepsPerSecond(IntSupplier trainBatches, double seconds) {
    long started = System.nanoTime();
    long deadline = started + (long) (seconds * 1e9);
    int steps = 0;
    do {
      steps += trainBatches.getAsInt();
    } while (System.nanoTime() < deadline);
    return steps / ((System.nanoTime() - started) / 1e9);
  }
}
