package io.github.tfloop.benchmarks;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
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
 * [seconds per turn]}.
 */
public final class Interleaved {

  private final int rounds;
  private final double secondsPerTurn;

  private Interleaved(int rounds, double secondsPerTurn) {
    this.rounds = rounds;
    this.secondsPerTurn = secondsPerTurn;
  }

  /** One contender: a name and an action that trains some batches and returns how many. */
  private record Turn(String name, IntSupplier trainBatches, AutoCloseable resource) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1;
    Interleaved run = new Interleaved(rounds, seconds);
    System.out.println(
        "| network | batch | contender | steps/s (median) | vs hand-written | vs DJL |");
    System.out.println("|---|---:|---|---:|---:|---:|");
    run.contenders(Network.MLP, 32);
    run.contenders(Network.MLP, 128);
    run.contenders(Network.MLP, 512);
    run.contenders(Network.CNN, 64);
    System.out.println();
    System.out.println(
        "| network | batch | intra:inter threads | steps/s (median) | vs TensorFlow's choice |");
    System.out.println("|---|---:|---|---:|---:|");
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
    double[] medians = medians(turns);
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

  private void threadSettings(Network network, int batchSize) throws Exception {
    TrainingData data = TrainingData.batches(batchSize, TrainingStepBenchmark.BATCHES);
    List<Turn> turns = new ArrayList<>();
    for (String threads : new String[] {"0:0", "1:1", "1:2", "2:1"}) {
      turns.add(
          fitting(
              threads,
              network,
              Tfloop.threads(LoopOptions.builder().batchSize(batchSize), threads),
              data));
    }
    double[] medians = medians(turns);
    for (int i = 0; i < turns.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %s | %.0f | %.2f× |%n",
          network,
          batchSize,
          turns.get(i).name(),
          medians[i],
          medians[i] / medians[0]);
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

  /** Each turn's median steps per second over the rounds, after one warm-up round. */
  private double[] medians(List<Turn> turns) throws Exception {
    double[][] rates = new double[turns.size()][rounds];
    try {
      for (int round = -1; round < rounds; round++) {
        for (int i = 0; i < turns.size(); i++) {
          double rate = stepsPerSecond(turns.get(i).trainBatches(), secondsPerTurn);
          if (round >= 0) {
            rates[i][round] = rate;
          }
        }
      }
    } finally {
      for (Turn turn : turns) {
        turn.resource().close();
      }
    }
    double[] medians = new double[turns.size()];
    for (int i = 0; i < turns.size(); i++) {
      Arrays.sort(rates[i]);
      medians[i] = rates[i][rounds / 2];
    }
    return medians;
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
