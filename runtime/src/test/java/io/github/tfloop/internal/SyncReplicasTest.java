package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.distributed.LocalCluster;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LastBatch;
import io.github.tfloop.train.LoopOptions;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synchronous data-parallel training on a real cluster of three JVMs (one parameter server, two
 * workers, on 127.0.0.1) against training in one process; and what a loop on a cluster refuses
 * before it starts a server.
 */
class SyncReplicasTest {

  private static final Cluster TWO_WORKERS =
      Cluster.of(List.of("127.0.0.1:1"), List.of("127.0.0.1:2", "127.0.0.1:3"), "worker", 0);

  /**
   * The data is one global batch, so every epoch is one step on every example: with the average of
   * both workers' gradients applied once per step, the weights are those of one process taking the
   * same steps on the whole batch. Applying each worker's gradients separately would take twice the
   * steps; summing instead of averaging would double SGD's steps.
   */
  @Test
  void twoWorkersTakeTheStepsOfOneProcessOnTheWholeBatch(@TempDir Path directory) throws Exception {
    float[] initial;
    float[] expected;
    try (Trainer single =
        Regression.sgd(ClusterRegression.options().build(), ClusterRegression.LEARNING_RATE)) {
      initial = Regression.weights(single);
      single.fit(ClusterRegression.data(), null);
      expected = Regression.weights(single);
    }
    ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
    try (LocalCluster cluster = start(directory, "exact", 60, output)) {
      assertTrue(cluster.awaitWorkers(Duration.ofMinutes(2)), "workers still running: " + output);
      assertEquals(0, cluster.awaitWorkers(), "a worker failed: " + String.join("\n", output));
    }
    try (DataInputStream chief = open(directory, 0);
        DataInputStream worker = open(directory, 1)) {
      assertEquals(ClusterRegression.EPOCHS, chief.readLong(), "one global step per batch");
      assertEquals(ClusterRegression.EPOCHS, chief.readInt());
      assertEquals(ClusterRegression.EPOCHS, worker.readLong());
      assertEquals(ClusterRegression.EPOCHS, worker.readInt(), "the worker ran as many steps");
      float[] chiefWeights = readFloats(chief, expected.length);
      float[] workerWeights = readFloats(worker, expected.length);
      assertArrayEquals(chiefWeights, workerWeights, 0f, "both read the parameter server");
      // the same sums, added in another order: equal up to float rounding
      assertArrayEquals(expected, chiefWeights, 1e-5f);
      assertFalse(java.util.Arrays.equals(initial, chiefWeights), "trained");
    }
    assertTrue(
        output.contains(
            "[worker 1] step(): Curve: step() trains this process alone; on a"
                + " cluster every worker trains with fit or resume"),
        String.join("\n", output));
  }

  /**
   * A worker killed and not restarted: the chief waits for its gradients for the cluster's timeout,
   * then fails, saying what it waited for and what to do.
   */
  @Test
  void aWorkerThatDoesNotComeBackStopsTheChiefAfterTheTimeout(@TempDir Path directory)
      throws Exception {
    ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
    try (LocalCluster cluster = start(directory, "long", 3, output)) {
      awaitLine(output, "[worker 0] step 30");
      cluster.kill(Cluster.WORKER, 1);
      long killed = System.nanoTime();
      assertTrue(
          cluster.process(Cluster.WORKER, 0).waitFor(60, TimeUnit.SECONDS),
          "the chief still runs: " + String.join("\n", output));
      long waited = (System.nanoTime() - killed) / 1_000_000;
      assertTrue(waited >= 2500, "the chief gave up after " + waited + " ms, before its timeout");
      assertEquals(1, cluster.process(Cluster.WORKER, 0).exitValue());
      assertTrue(
          output.stream()
              .anyMatch(
                  line ->
                      line.startsWith("[worker 0]")
                          && line.contains(
                              "Curve, worker 0 of 2: waited 3 s for the gradients of all 2 workers for round")
                          && line.endsWith(
                              "in vain; a worker may have stopped; restarted within the timeout, it"
                                  + " rejoins (Cluster.withTimeout sets how long to wait)")),
          String.join("\n", output));
    }
  }

  /** When the chief's fit fails, the other workers stop too, and say why. */
  @Test
  void whenTheChiefFailsTheOtherWorkersStopWithIt(@TempDir Path directory) throws Exception {
    ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
    try (LocalCluster cluster = start(directory, "nan", 60, output)) {
      assertTrue(cluster.awaitWorkers(Duration.ofMinutes(1)), String.join("\n", output));
      assertEquals(1, cluster.process(Cluster.WORKER, 0).exitValue());
      assertEquals(1, cluster.process(Cluster.WORKER, 1).exitValue());
    }
    assertTrue(
        output.stream()
            .anyMatch(
                line ->
                    line.startsWith("[worker 0]")
                        && line.matches(
                            ".*NonFiniteException: Curve: step 'train' met a non-finite value at"
                                + " global step \\d+ .*: the first is loss of step 'train' \\(NaN\\).*")),
        String.join("\n", output));
    assertTrue(
        output.stream()
            .anyMatch(
                line ->
                    line.startsWith("[worker 1]")
                        && line.endsWith(
                            "TrainingException: Curve, worker 1 of 2: the chief stopped"
                                + " training before the end (it failed or was interrupted; see its log); this worker"
                                + " stops too")),
        String.join("\n", output));
  }

  @Test
  void aParameterServerTaskBuildsNoLoop() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Regression.sgd(
                    LoopOptions.builder().cluster(TWO_WORKERS.forTask("ps", 0)).build(), 0.1));
    assertEquals(
        "Curve: this process is ps 0 of 1, a parameter server; it runs"
            + " io.github.tfloop.distributed.ParameterServer, not a training loop",
        error.getMessage());
  }

  @Test
  void theGlobalBatchMustDivideAmongTheWorkers() {
    Cluster three =
        Cluster.of(
            List.of("127.0.0.1:1"),
            List.of("127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"),
            "worker",
            0);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> Regression.sgd(LoopOptions.builder().cluster(three).build(), 0.1));
    assertEquals(
        "Curve: the global batch of 8 examples does not divide among 3 workers; each"
            + " worker trains on an equal share of every batch, so use a batchSize that is a multiple"
            + " of 3",
        error.getMessage());
  }

  @Test
  void aLoopWithSeveralStepsIsRefused() {
    IllegalStateException error =
        assertThrows(
            IllegalStateException.class,
            () ->
                TestLoops.build(
                    "Twice",
                    8,
                    1L,
                    LoopOptions.builder().cluster(TWO_WORKERS).build(),
                    loop -> {
                      var x = loop.input(Regression.X, org.tensorflow.types.TFloat32.class);
                      var y = loop.input(Regression.Y, org.tensorflow.types.TFloat32.class);
                      var nn = loop.layers("curve");
                      var prediction = loop.output("curve", nn.dense(x, 1));
                      loop.loss(
                          "loss",
                          io.github.tfloop.loss.Losses.meanSquaredError(loop.ops(), prediction, y));
                      for (String name : List.of("first", "second")) {
                        loop.step(
                            StepSpec.named(name)
                                .minimizing("loss")
                                .optimizer(Optimizers.sgd())
                                .learningRate(LearningRate.constant(0.1)));
                      }
                    }));
    assertEquals(
        "Twice: training on a cluster supports loops with one @Step; this one has 2:"
            + " [first, second]",
        error.getMessage());
  }

  @Test
  void aPartialLastBatchIsRefused() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Regression.sgd(
                    LoopOptions.builder().cluster(TWO_WORKERS).lastBatch(LastBatch.PARTIAL).build(),
                    0.1));
    assertEquals(
        "Curve: LastBatch.PARTIAL trains a smaller last batch; on a cluster every step is"
            + " a full global batch, so leave lastBatch at DROP",
        error.getMessage());
  }

  @Test
  void severalStepsPerExecutionAreRefused() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Regression.sgd(
                    LoopOptions.builder().cluster(TWO_WORKERS).stepsPerExecution(8).build(), 0.1));
    assertEquals(
        "Curve: stepsPerExecution runs several steps in one call of this process alone;"
            + " on a cluster every step is a round with the other workers, so leave it at 1",
        error.getMessage());
  }

  @Test
  void aDeviceNamingAJobIsRefused() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Regression.sgd(
                    LoopOptions.builder().cluster(TWO_WORKERS).device("/job:worker/task:1").build(),
                    0.1));
    assertEquals(
        "device '/job:worker/task:1' names a job or task; in a cluster each worker's ops"
            + " run on its own task, so give only a device such as /GPU:0",
        error.getMessage());
  }

  private static LocalCluster start(
      Path directory, String mode, int timeoutSeconds, ConcurrentLinkedQueue<String> output) {
    return LocalCluster.builder()
        .parameterServers(1)
        .workers(2)
        .javaOption("-Xmx256m")
        .javaOption("-XX:+UseSerialGC")
        .javaOption("-XX:TieredStopAtLevel=1")
        .mainClass(ClusterRegression.class.getName())
        .arguments(directory.toString(), mode, String.valueOf(timeoutSeconds))
        .output((task, line) -> output.add("[" + task + "] " + line))
        .start();
  }

  private static void awaitLine(ConcurrentLinkedQueue<String> output, String line)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!output.contains(line)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no line '" + line + "' in:\n" + String.join("\n", output));
      }
      Thread.sleep(20);
    }
  }

  private static DataInputStream open(Path directory, int worker) throws IOException {
    return new DataInputStream(Files.newInputStream(directory.resolve("worker-" + worker)));
  }

  private static float[] readFloats(DataInputStream in, int count) throws IOException {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = in.readFloat();
    }
    return values;
  }
}
