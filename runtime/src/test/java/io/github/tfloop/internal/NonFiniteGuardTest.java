package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.IdxFile;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NonFinite;
import io.github.tfloop.train.NonFiniteException;
import io.github.tfloop.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-graph non-finite guard, driven by a deliberately exploding learning rate. */
class NonFiniteGuardTest {

  /** SGD at this rate multiplies the error by about -1000 a step: infinite within a dozen steps. */
  private static final double EXPLODING = 1e3;

  private static final Dataset DATA = Regression.data(256, 1);

  @Test
  void stopNamesTheStepEpochBatchAndFirstNonFiniteTensor() {
    LoopOptions options = LoopOptions.builder().epochs(5).nonFinite(NonFinite.STOP).build();
    try (Trainer engine = Regression.sgd(options, EXPLODING)) {
      NonFiniteException error =
          assertThrows(NonFiniteException.class, () -> engine.fit(DATA, null));
      assertEquals("train", error.step());
      assertEquals(1, error.epoch());
      assertTrue(error.batch() > 1, "batch " + error.batch());
      assertEquals(error.batch(), error.globalStep());
      assertTrue(error.tensor().startsWith("loss of step 'train'"), error.tensor());
      assertEquals(
          "Curve: step 'train' met a non-finite value at global step "
              + error.globalStep()
              + " (epoch 1, batch "
              + error.batch()
              + "): the first is "
              + error.tensor()
              + "; the update was not applied",
          error.getMessage());
      // the refused update left every weight finite: the weights of the step before
      for (float weight : Regression.weights(engine)) {
        assertTrue(Float.isFinite(weight), "weights were updated with a non-finite gradient");
      }
    }
  }

  @Test
  void theCheckIsOffByDefaultAndNoGradientNormIsKept() {
    LoopOptions options = LoopOptions.defaults();
    assertEquals(NonFinite.OFF, options.nonFinite());
    try (Trainer engine = Regression.sgd(options, 0.05)) {
      assertEquals(java.util.Set.of("learning_rate"), engine.stepScalars().keySet());
    }
    try (Trainer engine =
        Regression.sgd(LoopOptions.builder().nonFinite(NonFinite.STOP).build(), 0.05)) {
      assertEquals(
          java.util.Set.of("learning_rate", "gradient_norm"),
          engine.stepScalars().keySet(),
          "the check needs the norm, so it is kept");
    }
  }

  @Test
  void withTheCheckOffNoCheckpointIsWrittenFromNonFiniteWeights(@TempDir Path directory)
      throws Exception {
    io.github.tfloop.checkpoint.CheckpointPolicy checkpoints =
        io.github.tfloop.checkpoint.CheckpointPolicy.in(directory).everySteps(4).keepLast(2);
    LoopOptions options = LoopOptions.builder().epochs(5).checkpoints(checkpoints).build();
    try (Trainer engine = Regression.sgd(options, EXPLODING)) {
      NonFiniteException error =
          assertThrows(NonFiniteException.class, () -> engine.fit(DATA, null));
      assertTrue(
          error
              .getMessage()
              .contains("so no checkpoint was written and the saved ones are" + " untouched"),
          error.getMessage());
      assertTrue(error.tensor().startsWith("curve/"), error.tensor());
      assertEquals(0, error.globalStep() % 4, "found when a checkpoint was due");
    }
    // the newest checkpoint is the last one before the weights went bad, and it holds finite
    // weights: restore it (a listener stops the resumed fit before its first batch) and look
    io.github.tfloop.checkpoint.Checkpoint newest =
        io.github.tfloop.checkpoint.CheckpointStore.open(directory).latest().orElseThrow();
    long saved = newest.getLong("global_step");
    assertTrue(saved > 0 && saved < 8, "saved at step " + saved);
    TrainingListener stopAtOnce =
        new TrainingListener() {
          @Override
          public void onTrainBegin(FitControl control) {
            control.stop();
          }
        };
    LoopOptions restore =
        LoopOptions.builder().epochs(5).checkpoints(checkpoints).listener(stopAtOnce).build();
    try (Trainer engine = Regression.sgd(restore, EXPLODING)) {
      engine.resume(DATA, null);
      assertEquals(saved, engine.globalStep());
      for (float weight : Regression.weights(engine)) {
        assertTrue(Float.isFinite(weight), "a checkpoint holds a non-finite weight");
      }
    }
  }

  @Test
  void offLetsTheWeightsBlowUp() {
    LoopOptions options = LoopOptions.builder().epochs(5).nonFinite(NonFinite.OFF).build();
    try (Trainer engine = Regression.sgd(options, EXPLODING)) {
      engine.fit(DATA, null);
      boolean anyNonFinite = false;
      for (float weight : Regression.weights(engine)) {
        anyNonFinite |= !Float.isFinite(weight);
      }
      assertTrue(anyNonFinite, "with the check off, the explosion reaches the weights");
    }
  }

  @Test
  void withoutTheExplosionNothingTrips() {
    try (Trainer engine = Regression.sgd(LoopOptions.builder().epochs(2).build(), 0.05)) {
      History history = engine.fit(DATA, null);
      assertTrue(Double.isFinite(history.last().get("loss")));
    }
  }

  @Test
  void skipLeavesTheWeightsAndCountsTheSkippedBatches() {
    LoopOptions options = LoopOptions.builder().epochs(2).nonFinite(NonFinite.SKIP).build();
    try (Trainer engine = Regression.sgd(options, EXPLODING)) {
      History history = engine.fit(DATA, null);
      double skipped =
          history.epochs().get(0).get("skipped_batches") + history.last().get("skipped_batches");
      assertTrue(skipped > 0, history.toString());
      // 64 batches ran; those skipped were not counted as optimizer iterations
      assertEquals(64, engine.globalStep());
      for (float weight : Regression.weights(engine)) {
        assertTrue(Float.isFinite(weight));
      }
    }
  }

  @Test
  void debugNumericsNamesTheFirstBadOpAndDumpsTheBatch(@TempDir Path dumps) throws Exception {
    LoopOptions options =
        LoopOptions.builder().epochs(5).shuffle(false).debugNumerics(dumps).build();
    try (Trainer engine = Regression.sgd(options, EXPLODING)) {
      NonFiniteException error =
          assertThrows(NonFiniteException.class, () -> engine.fit(DATA, null));
      // op by op: the first non-finite output is named by its op, here the squared error that
      // overflows before the mean that is the loss
      assertFalse(error.tensor().startsWith("loss"), error.tensor());
      assertTrue(error.tensor().matches("[\\w/]+:\\d+ \\((NaN|infinite)\\)"), error.tensor());
      Path dump = error.dump().orElseThrow();
      assertEquals(dumps.resolve("non-finite-step-" + error.globalStep()), dump);
      float[] x = IdxFile.read(dump.resolve("x.idx")).toFloatColumn(1).values();
      int from = (error.batch() - 1) * 8;
      float[] expected =
          java.util.Arrays.copyOfRange(
              (float[]) DATA.column("x").values(), 2 * from, 2 * from + 16);
      assertArrayEquals(expected, x);
      String about = Files.readString(dump.resolve("batch.txt"));
      assertTrue(about.contains("first non-finite: " + error.tensor()), about);
      assertTrue(error.getMessage().endsWith("; the batch is in " + dump), error.getMessage());
    }
  }
}
