package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.optim.Clipping;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.LearningRates;
import io.github.tfloop.optim.Optimizer;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code LoopOptions.accumulate(n)}: n batches of b examples make the update one batch of n·b
 * makes, for a loss that is a mean over its batch, with SGD and Adam, with and without clipping;
 * the schedule counts updates; a resume in the middle of an accumulation ends where an
 * uninterrupted fit does.
 */
class GradientAccumulationTest {

  /** 128 examples: 16 batches of 8, or 4 batches of 32, an epoch. */
  private static final Dataset TRAIN = Regression.data(128, 7);

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().epochs(2).shuffle(false).intraOpThreads(1).interOpThreads(1);
  }

  /** A rate halved every two updates: counting batches instead would halve it 4 times as often. */
  private static LearningRate decaying(double initial) {
    return LearningRates.exponentialDecay(initial, 2, 0.5, true);
  }

  private static Trainer loop(
      LoopOptions options, Optimizer optimizer, double rate, Clipping clipping) {
    return ControlLoops.regression(options, optimizer, decaying(rate), clipping, "loss");
  }

  @Test
  void fourBatchesOfEightUpdateAsOneBatchOfThirtyTwo() {
    record Case(String name, Optimizer optimizer, double rate, Clipping clipping) {}
    List<Case> cases =
        List.of(
            new Case("sgd", Optimizers.sgd(), 0.1, Clipping.none()),
            new Case("sgd clipped", Optimizers.sgd(), 0.1, Clipping.byGlobalNorm(0.05)),
            new Case("adam", Optimizers.adam(0.9, 0.999, 1e-7), 0.01, Clipping.none()),
            new Case(
                "adam clipped",
                Optimizers.adam(0.9, 0.999, 1e-7),
                0.01,
                Clipping.byGlobalNorm(0.05)));
    float[] unclippedSgd = null;
    for (Case c : cases) {
      float[] accumulated;
      float[] large;
      double accumulatedRate;
      try (Trainer small =
          loop(
              options().batchSize(8).accumulate(4).build(),
              c.optimizer(),
              c.rate(),
              c.clipping())) {
        small.fit(TRAIN, null);
        assertEquals(32, small.globalStep(), "the global step counts batches");
        accumulated = Regression.weights(small);
        accumulatedRate = small.learningRate("train");
      }
      try (Trainer big =
          loop(options().batchSize(32).build(), c.optimizer(), c.rate(), c.clipping())) {
        big.fit(TRAIN, null);
        assertEquals(8, big.globalStep());
        large = Regression.weights(big);
        // the schedule counted 8 updates in both: halved 4 times
        assertEquals(c.rate() / 16, big.learningRate("train"), 1e-9);
        assertEquals(big.learningRate("train"), accumulatedRate, 0.0, c.name());
      }
      assertArrayEquals(large, accumulated, 2e-6f, c.name());
      if (c.name().equals("sgd")) {
        unclippedSgd = large;
      } else if (c.name().equals("sgd clipped")) {
        assertFalse(Arrays.equals(unclippedSgd, large), "premise: the clipping clips");
      }
    }
  }

  @Test
  void stepAccumulatesTooAndUpdatesOnTheFourthCall() {
    Dataset batch = TRAIN.take(32);
    float[] x = xs(batch);
    float[] y = ys(batch);
    float[] expected;
    try (Trainer big =
        loop(options().batchSize(32).build(), Optimizers.sgd(), 0.1, Clipping.none())) {
      TestLoops.step(big, 32, Regression.X, x, Regression.Y, y);
      expected = Regression.weights(big);
    }
    try (Trainer small =
        loop(
            options().batchSize(8).accumulate(4).build(), Optimizers.sgd(), 0.1, Clipping.none())) {
      float[] initial = Regression.weights(small);
      for (int i = 0; i < 4; i++) {
        float loss =
            TestLoops.step(
                small,
                8,
                Regression.X,
                Arrays.copyOfRange(x, 16 * i, 16 * (i + 1)),
                Regression.Y,
                Arrays.copyOfRange(y, 8 * i, 8 * (i + 1)));
        assertTrue(Float.isFinite(loss));
        if (i < 3) {
          assertArrayEquals(initial, Regression.weights(small), 0f, "call " + (i + 1));
        }
      }
      assertArrayEquals(expected, Regression.weights(small), 2e-6f);
    }
  }

  @Test
  void stepsPerExecutionTrainsOneBatchPerCallAndTheSame() {
    float[] one;
    try (Trainer loop =
        loop(
            options().batchSize(8).accumulate(4).build(),
            Optimizers.adam(0.9, 0.999, 1e-7),
            0.01,
            Clipping.none())) {
      loop.fit(TRAIN, null);
      one = Regression.weights(loop);
    }
    try (Trainer loop =
        loop(
            options().batchSize(8).accumulate(4).stepsPerExecution(8).build(),
            Optimizers.adam(0.9, 0.999, 1e-7),
            0.01,
            Clipping.none())) {
      loop.fit(TRAIN, null);
      assertArrayEquals(one, Regression.weights(loop), 0f);
    }
  }

  @Test
  void aResumeInTheMiddleOfAnAccumulationEndsWhereAnUninterruptedFitDoes(@TempDir Path root)
      throws IOException {
    Path all = root.resolve("all");
    LoopOptions.Builder accumulating = options().batchSize(8).accumulate(4).shuffle(true).epochs(2);
    float[] uninterrupted;
    try (Trainer loop =
        loop(
            accumulating.checkpoints(CheckpointPolicy.in(all).everySteps(3).keepLast(100)).build(),
            Optimizers.adam(0.9, 0.999, 1e-7),
            0.01,
            Clipping.none())) {
      loop.fit(TRAIN, null);
      uninterrupted = Regression.weights(loop);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    // after steps 3 and 6: 3 and 2 batches into an accumulation of 4
    for (Path checkpoint : checkpoints.subList(0, 2)) {
      Path alone = root.resolve("from-" + checkpoint.getFileName());
      TrainingControlsTest.copy(checkpoint, alone.resolve(checkpoint.getFileName()));
      try (Trainer loop =
          loop(
              accumulating.checkpoints(CheckpointPolicy.in(alone)).build(),
              Optimizers.adam(0.9, 0.999, 1e-7),
              0.01,
              Clipping.none())) {
        loop.resume(TRAIN, null);
        assertArrayEquals(uninterrupted, Regression.weights(loop), 0f, checkpoint.toString());
      }
    }
  }

  @Test
  void aClusterRefusesAccumulation() {
    Cluster chief =
        Cluster.of(
            List.of("127.0.0.1:7001", "127.0.0.1:7002"), List.of("127.0.0.1:7003"), "worker", 0);
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                loop(
                    options().accumulate(2).cluster(chief).build(),
                    Optimizers.sgd(),
                    0.1,
                    Clipping.none()));
    assertTrue(refused.getMessage().startsWith("Curve: accumulate(2) sums"), refused.getMessage());
  }

  private static float[] xs(Dataset data) {
    return column(data, "x", 2);
  }

  private static float[] ys(Dataset data) {
    return column(data, "y", 1);
  }

  private static float[] column(Dataset data, String name, int width) {
    float[] values = new float[data.size() * width];
    var column = (io.github.tfloop.data.FloatColumn) data.column(name);
    for (int i = 0; i < values.length; i++) {
      values[i] = column.values()[i];
    }
    return values;
  }

  @Test
  void accumulationWithFloat16LossScalingIsRefusedWhenTheOptionsAreBuilt() {
    LoopOptions.Builder builder =
        LoopOptions.builder()
            .accumulate(4)
            .precision(io.github.tfloop.train.Precision.MIXED_FLOAT16);
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, builder::build);
    assertEquals(
        "accumulate(4) does not combine with Precision.MIXED_FLOAT16: its dynamic loss scale skips"
            + " single batches, not accumulated ones; use Precision.MIXED_BFLOAT16, which needs no"
            + " loss scale, or accumulate(1)",
        error.getMessage());
    builder.precision(io.github.tfloop.train.Precision.MIXED_BFLOAT16).build();
  }
}
