package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.optim.Clipping;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.LearningRates;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.ReduceLROnPlateau;
import io.github.tfloop.train.TrainingListener;
import io.github.tfloop.train.ValidationLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training controls of {@code LoopOptions} and the listeners that steer a fit, each checked by
 * its effect on a real fit: the learning rate on a plateau, step and time limits, validation every
 * N steps, limited batches, the dry run, and the check of monitored names.
 */
class TrainingControlsTest {

  /** 48 examples in batches of 8: 6 batches an epoch. */
  private static final Dataset TRAIN = Regression.data(48, 1);

  private static final Dataset VALIDATION = Regression.data(24, 2);

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().intraOpThreads(1).interOpThreads(1);
  }

  private static Trainer sgd(LoopOptions options, LearningRate rate) {
    return ControlLoops.regression(options, Optimizers.sgd(), rate, Clipping.none(), "loss");
  }

  /** A plateau of the training loss watched as if higher were better: it never improves. */
  private static ReduceLROnPlateau plateauAfterEpochTwo() {
    return ReduceLROnPlateau.monitoring("loss")
        .mode(EarlyStopping.Mode.MAX)
        .factor(0.1)
        .patience(1)
        .cooldown(100)
        .build();
  }

  @Test
  void plateauLowersTheRateAfterPatienceAndTrainingGoesOnAtTheLowerRate() {
    ReduceLROnPlateau plateau = plateauAfterEpochTwo();
    History history;
    float[] reduced;
    try (Trainer loop =
        sgd(options().epochs(4).listener(plateau).build(), LearningRate.constant(0.05))) {
      history = loop.fit(TRAIN, null);
      reduced = Regression.weights(loop);
      assertEquals(0.005, loop.learningRate("train"), 1e-8);
    }
    double[] losses = history.values("loss");
    assertTrue(losses[1] < losses[0], "premise: the loss falls, so it never 'improves' upwards");
    // the log records the rate each epoch trained with; the reduction follows epoch 2's log
    assertArrayEquals(
        new double[] {0.05, 0.05, 0.005, 0.005}, history.values("learning_rate"), 1e-8);
    assertEquals(1, plateau.reductions().size(), plateau.reductions().toString());
    ReduceLROnPlateau.Reduction reduction = plateau.reductions().get(0);
    assertEquals(2, reduction.epoch());
    assertEquals("train", reduction.step());
    assertEquals(0.005, reduction.to(), 1e-8);
    // the same as a schedule dropping the rate after the 12th update: training went on from there
    try (Trainer scheduled =
        sgd(
            options().epochs(4).build(),
            LearningRates.piecewiseConstant(new long[] {11}, new double[] {0.05, 0.005}))) {
      scheduled.fit(TRAIN, null);
      assertArrayEquals(Regression.weights(scheduled), reduced, 1e-6f);
    }
  }

  @Test
  void aResumedFitReducesWhereTheUninterruptedOneDid(@TempDir Path root) throws IOException {
    Path all = root.resolve("all");
    Supplier<LoopOptions.Builder> withPlateau =
        () -> options().epochs(4).listener(plateauAfterEpochTwo());
    float[] uninterrupted;
    History history;
    try (Trainer loop =
        sgd(
            withPlateau.get().checkpoints(CheckpointPolicy.in(all).keepLast(10)).build(),
            LearningRate.constant(0.05))) {
      history = loop.fit(TRAIN, null);
      uninterrupted = Regression.weights(loop);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    assertEquals(4, checkpoints.size(), checkpoints.toString());
    // after epoch 1 (before the reduction: the listener's best must come back) and after epoch 3
    // (after it: the scale must come back)
    for (Path checkpoint : List.of(checkpoints.get(0), checkpoints.get(2))) {
      Path alone = root.resolve("from-" + checkpoint.getFileName());
      copy(checkpoint, alone.resolve(checkpoint.getFileName()));
      try (Trainer loop =
          sgd(
              withPlateau.get().checkpoints(CheckpointPolicy.in(alone)).build(),
              LearningRate.constant(0.05))) {
        History resumed = loop.resume(TRAIN, null);
        assertArrayEquals(uninterrupted, Regression.weights(loop), 0f, checkpoint.toString());
        assertArrayEquals(
            history.values("learning_rate"), resumed.values("learning_rate"), 0.0, "" + resumed);
      }
    }
  }

  @Test
  void aListenerThatSetsTheRateMustSaySo() {
    TrainingListener undeclared =
        new TrainingListener() {
          @Override
          public void onEpochEnd(FitControl control, EpochLog log) {
            assertEquals(1.0, control.learningRateScale("train"));
            control.setLearningRateScale("train", 0.5);
          }
        };
    try (Trainer loop = sgd(options().listener(undeclared).build(), LearningRate.constant(0.05))) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> loop.fit(TRAIN, null));
      assertTrue(
          refused.getMessage().contains("must say so in adjustsLearningRate()"),
          refused.getMessage());
    }
  }

  @Test
  void maxStepsStopsAtThatStepOfTheFitWithTheLastEpochLogged() {
    for (int stepsPerExecution : new int[] {1, 4}) {
      LoopOptions limited =
          options().epochs(5).maxSteps(10).stepsPerExecution(stepsPerExecution).build();
      try (Trainer loop = sgd(limited, LearningRate.constant(0.05))) {
        History history = loop.fit(TRAIN, VALIDATION);
        assertEquals(10, loop.globalStep(), "stepsPerExecution " + stepsPerExecution);
        assertEquals(List.of(6, 4), history.epochs().stream().map(EpochLog::steps).toList());
        assertTrue(history.last().metrics().containsKey("val_loss"), "the cut epoch is validated");
        assertTrue(
            history.stopReason().orElseThrow().startsWith("maxSteps(10) reached at global step 10"),
            history.stopReason().toString());
        // a second fit of the same loop counts its own steps
        History second = loop.fit(TRAIN, null);
        assertEquals(20, loop.globalStep());
        assertEquals(List.of(6, 4), second.epochs().stream().map(EpochLog::steps).toList());
      }
    }
  }

  @Test
  void aResumeThatTrainsOnAfterAStopAtALimitReportsNoStaleReason(@TempDir Path root) {
    Path directory = root.resolve("checkpoints");
    try (Trainer loop =
        sgd(
            options().epochs(3).maxSteps(8).checkpoints(CheckpointPolicy.in(directory)).build(),
            LearningRate.constant(0.05))) {
      assertTrue(loop.fit(TRAIN, null).stopReason().isPresent());
    }
    try (Trainer loop =
        sgd(
            options().epochs(3).checkpoints(CheckpointPolicy.in(directory)).build(),
            LearningRate.constant(0.05))) {
      History resumed = loop.resume(TRAIN, null);
      // the stopped fit ended epoch 2 at step 8 (its limit); the resume trains epoch 3
      assertEquals(14, loop.globalStep(), "the resume trained epoch 3");
      assertEquals(Optional.empty(), resumed.stopReason(), resumed.toString());
    }
  }

  @Test
  void maxTimeStopsTheCallAfterTheBatchDuringWhichItPassed() {
    long[] began = new long[1];
    List<Long> batchEnds = new ArrayList<>();
    TrainingListener slow =
        new TrainingListener() {
          @Override
          public void onTrainBegin(FitControl control) {
            began[0] = System.nanoTime();
          }

          @Override
          public void onBatchEnd(FitControl control, int epoch, int batch) {
            try {
              Thread.sleep(40);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            batchEnds.add(System.nanoTime() - began[0]);
          }
        };
    Duration limit = Duration.ofMillis(400);
    LoopOptions limited = options().epochs(100).maxTime(limit).listener(slow).build();
    try (Trainer loop = sgd(limited, LearningRate.constant(0.05))) {
      // one step first, so that the session's first run does not eat the time
      TestLoops.step(loop, 8, Regression.X, new float[16], Regression.Y, new float[8]);
      History history = loop.fit(TRAIN, null);
      long steps = loop.globalStep() - 1;
      assertEquals(batchEnds.size(), steps);
      assertTrue(steps >= 1 && steps < 100, steps + " steps: " + batchEnds);
      // it went on while time was left, and stopped after the batch during which it ran out
      if (steps >= 2) {
        assertTrue(batchEnds.get(batchEnds.size() - 2) < limit.toNanos(), batchEnds.toString());
      }
      assertTrue(
          history.stopReason().orElseThrow().startsWith("maxTime(PT0.4S) passed"),
          history.stopReason().toString());
      int logged = history.epochs().stream().mapToInt(EpochLog::steps).sum();
      assertEquals(steps, logged, "the cut epoch is logged");
    }
  }

  @Test
  void validationEveryNStepsRecordsWhatTheModelScoredThen() {
    for (int stepsPerExecution : new int[] {1, 5}) {
      Trainer[] loop = new Trainer[1];
      List<double[]> seen = new ArrayList<>();
      TrainingListener check =
          new TrainingListener() {
            @Override
            public void onValidationEnd(FitControl control, ValidationLog log) {
              assertEquals(log.globalStep(), control.globalStep());
              seen.add(
                  new double[] {log.get("val_loss"), loop[0].evaluate(VALIDATION).get("loss")});
            }
          };
      LoopOptions every4 =
          options()
              .epochs(2)
              .validateEverySteps(4)
              .stepsPerExecution(stepsPerExecution)
              .listener(check)
              .build();
      try (Trainer trainer = sgd(every4, LearningRate.constant(0.05))) {
        loop[0] = trainer;
        History history = trainer.fit(TRAIN, VALIDATION);
        List<ValidationLog> validations = history.validations();
        assertEquals(
            List.of(4L, 8L, 12L), validations.stream().map(ValidationLog::globalStep).toList());
        assertEquals(List.of(1, 2, 2), validations.stream().map(ValidationLog::epoch).toList());
        assertEquals(List.of(4, 2, 6), validations.stream().map(ValidationLog::batch).toList());
        assertEquals(3, seen.size());
        for (double[] pair : seen) {
          assertEquals(pair[1], pair[0], 0.0, "the validation of that step");
        }
        // step 12 ends epoch 2: one evaluation serves both
        assertEquals(history.last().get("val_loss"), validations.get(2).get("val_loss"), 0.0);
      }
    }
  }

  @Test
  void validationEveryNStepsNeedsValidationData() {
    try (Trainer loop = sgd(options().validateEverySteps(4).build(), LearningRate.constant(0.05))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, null));
      assertTrue(refused.getMessage().contains("fit(train, validation)"), refused.getMessage());
    }
  }

  @Test
  void limitedBatchesTrainAndValidateTheFirstBatchesOnly() {
    LoopOptions limited =
        options().epochs(3).limitTrainBatches(2).limitValidationBatches(1).build();
    try (Trainer loop = sgd(limited, LearningRate.constant(0.05))) {
      History history = loop.fit(TRAIN, VALIDATION);
      assertEquals(6, loop.globalStep());
      assertEquals(List.of(2, 2, 2), history.epochs().stream().map(EpochLog::steps).toList());
      assertEquals(
          loop.evaluate(VALIDATION.take(8)).get("loss"), history.last().get("val_loss"), 0.0);
      assertFalse(
          loop.evaluate(VALIDATION).get("loss") == history.last().get("val_loss"),
          "premise: the first batch scores otherwise than all of the validation data");
    }
  }

  @Test
  void dryRunRunsOneBatchOfEachThroughEveryListenerAndWritesNoCheckpoint(@TempDir Path root) {
    Path directory = root.resolve("checkpoints");
    List<String> events = new ArrayList<>();
    LoopOptions dry =
        options()
            .epochs(10)
            .dryRun(true)
            .checkpoints(CheckpointPolicy.in(directory).everySteps(1))
            .listener(ControlTest.recorder(events))
            .build();
    try (Trainer loop = sgd(dry, LearningRate.constant(0.05))) {
      History history = loop.fit(TRAIN, VALIDATION);
      assertEquals(1, loop.globalStep());
      assertEquals(1, history.epochs().size());
      assertEquals(1, history.last().steps());
      assertEquals(
          loop.evaluate(VALIDATION.take(8)).get("loss"), history.last().get("val_loss"), 0.0);
      assertEquals(List.of("train", "epoch 1", "+1", "-1", "end 1", "done 1"), events);
      loop.resume(TRAIN, VALIDATION); // reads nothing either
      assertEquals(2, loop.globalStep());
    }
    assertFalse(Files.exists(directory), "a dry run touches no checkpoint directory");
  }

  @Test
  void aMonitoredNameTheLoopDoesNotReportIsRefusedBeforeTraining() {
    List<String> events = new ArrayList<>();
    LoopOptions watchingLoss =
        options()
            .epochs(3)
            .listener(ControlTest.recorder(events))
            .listener(EarlyStopping.monitoring("val_loss").build())
            .build();
    try (Trainer loop =
        ControlLoops.regression(
            watchingLoss, Optimizers.sgd(), LearningRate.constant(0.05), Clipping.none(), "xent")) {
      assertEquals(List.of("xent", "val_xent", "learning_rate"), loop.reportedNames(true));
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, VALIDATION));
      assertTrue(
          refused
              .getMessage()
              .startsWith(
                  "CurveLoop.fit: EarlyStopping[val_loss min, patience 5, minDelta 0.0] monitors"
                      + " 'val_loss', which this fit does not report; did you mean 'val_xent'? A"
                      + " loss is reported under the name of its @Loss method"),
          refused.getMessage());
      assertTrue(
          refused.getMessage().endsWith("It reports [xent, val_xent, learning_rate]."),
          refused.getMessage());
      assertEquals(List.of(), events, "nothing ran");
      assertEquals(0, loop.globalStep());
    }
    LoopOptions typo = options().listener(ReduceLROnPlateau.monitoring("val_xnet").build()).build();
    try (Trainer loop =
        ControlLoops.regression(
            typo, Optimizers.sgd(), LearningRate.constant(0.05), Clipping.none(), "xent")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, VALIDATION));
      assertTrue(refused.getMessage().contains("did you mean 'val_xent'?"), refused.getMessage());
      IllegalArgumentException noValidation =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, null));
      assertTrue(
          noValidation.getMessage().contains("reported only when the fit has validation data")
              && noValidation.getMessage().contains("and did you mean 'val_xent'?"),
          noValidation.getMessage());
    }
    LoopOptions needsValidation =
        options().listener(EarlyStopping.monitoring("val_xent").build()).build();
    try (Trainer loop =
        ControlLoops.regression(
            needsValidation,
            Optimizers.sgd(),
            LearningRate.constant(0.05),
            Clipping.none(),
            "xent")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, null));
      assertTrue(
          refused
              .getMessage()
              .contains(
                  "values named val_... are reported only when the fit has validation data;"
                      + " call fit(train, validation)"),
          refused.getMessage());
    }
  }

  @Test
  void theBestCheckpointsMonitorIsCheckedToo(@TempDir Path root) {
    Path directory = root.resolve("checkpoints");
    LoopOptions best =
        options().checkpoints(CheckpointPolicy.in(directory).keepBest(2, "val_los")).build();
    try (Trainer loop = sgd(best, LearningRate.constant(0.05))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, VALIDATION));
      assertTrue(
          refused.getMessage().contains("CheckpointPolicy.keepBest(2, ...) monitors 'val_los'")
              && refused.getMessage().contains("did you mean 'val_loss'?"),
          refused.getMessage());
    }
    assertFalse(Files.exists(directory));
  }

  @Test
  void aStepAListenerNamesIsCheckedBeforeStartFreshMovesAnything(@TempDir Path root)
      throws IOException {
    Path directory = root.resolve("checkpoints");
    try (Trainer loop =
        sgd(
            options().epochs(1).checkpoints(CheckpointPolicy.in(directory)).build(),
            LearningRate.constant(0.05))) {
      loop.fit(TRAIN, null);
    }
    List<Path> before;
    try (Stream<Path> files = Files.walk(directory)) {
      before = files.sorted().toList();
    }
    LoopOptions typo =
        options()
            .checkpoints(CheckpointPolicy.in(directory).startFresh())
            .listener(ReduceLROnPlateau.monitoring("loss").steps("trian").build())
            .build();
    try (Trainer loop = sgd(typo, LearningRate.constant(0.05))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> loop.fit(TRAIN, null));
      assertEquals(
          "ReduceLROnPlateau: no step 'trian'; the steps are " + loop.engine().stepNames(),
          refused.getMessage());
    }
    try (Stream<Path> files = Files.walk(directory)) {
      assertEquals(before, files.sorted().toList(), "the directory was changed");
    }
  }

  @Test
  void eachEpochLogHoldsTheReportedNamesInOrder() {
    try (Trainer loop = sgd(options().epochs(1).build(), LearningRate.constant(0.05))) {
      History history = loop.fit(TRAIN, VALIDATION);
      assertEquals(loop.reportedNames(true), new ArrayList<>(history.last().metrics().keySet()));
      assertEquals(List.of("loss", "val_loss", "learning_rate"), loop.reportedNames(true));
    }
  }

  static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
