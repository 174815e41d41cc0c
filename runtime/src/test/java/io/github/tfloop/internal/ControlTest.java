package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.EarlyStopping;
import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Listeners see every stage in order; early stopping stops and puts the best weights back. */
class ControlTest {

  /** A listener that records every stage it sees into {@code events}. */
  static TrainingListener recorder(List<String> events) {
    return new TrainingListener() {
      @Override
      public void onTrainBegin(FitControl control) {
        events.add("train");
      }

      @Override
      public void onEpochBegin(FitControl control, int epoch) {
        events.add("epoch " + epoch);
      }

      @Override
      public void onBatchBegin(FitControl control, int epoch, int batch) {
        events.add("+" + batch);
      }

      @Override
      public void onBatchEnd(FitControl control, int epoch, int batch) {
        events.add("-" + batch);
      }

      @Override
      public void onEpochEnd(FitControl control, EpochLog log) {
        events.add("end " + log.epoch());
      }

      @Override
      public void onTrainEnd(FitControl control, History history) {
        events.add("done " + history.epochs().size());
      }
    };
  }

  @Test
  void listenersSeeEveryStageInOrder() {
    List<String> events = new ArrayList<>();
    TrainingListener recorder = recorder(events);
    LoopOptions options = LoopOptions.builder().epochs(2).listener(recorder).build();
    try (Trainer engine = LoopEngineTest.regression(options)) {
      engine.fit(LoopEngineTest.line(32, 1), null); // two batches of 16
    }
    assertEquals(
        List.of(
            "train", "epoch 1", "+1", "-1", "+2", "-2", "end 1", "epoch 2", "+1", "-1", "+2", "-2",
            "end 2", "done 2"),
        events);
  }

  /** Validation points on another line: training on the first line soon makes it worse. */
  private static Dataset otherLine(int size) {
    SplittableRandom random = new SplittableRandom(9);
    float[] x = new float[size];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
      y[i] = 0.5f * x[i] - 1;
    }
    return Dataset.builder().add(LoopEngineTest.X, x).add(LoopEngineTest.Y, y).build();
  }

  @Test
  void earlyStoppingStopsAndRestoresTheBestWeights() {
    EarlyStopping stopping =
        EarlyStopping.monitoring("val_loss").patience(2).restoreBestWeights(true).build();
    LoopOptions options = LoopOptions.builder().epochs(40).listener(stopping).build();
    Dataset validation = otherLine(64);
    try (Trainer engine = LoopEngineTest.regression(options)) {
      History[] fitted = new History[1];
      List<LogRecord> logged =
          LogCapture.records(
              "io.github.tfloop.train",
              Level.INFO,
              () -> fitted[0] = engine.fit(LoopEngineTest.line(256, 1), validation));
      History history = fitted[0];
      List<String> messages = logged.stream().map(LogRecord::getMessage).toList();
      assertTrue(
          messages.contains(history.stopReason().orElseThrow())
              && messages.stream()
                  .anyMatch(
                      message ->
                          message.startsWith(
                              "early stopping: restored the weights of epoch "
                                  + stopping.bestEpoch()
                                  + " (val_loss ")),
          messages.toString());
      assertTrue(stopping.stoppedEpoch() > 0 && stopping.stoppedEpoch() < 40, stopping.toString());
      assertEquals(stopping.stoppedEpoch(), history.epochs().size());
      assertEquals(stopping.bestEpoch() + 2, stopping.stoppedEpoch(), "patience 2");
      double[] losses = history.values("val_loss");
      double best = Double.MAX_VALUE;
      for (double loss : losses) {
        best = Math.min(best, loss);
      }
      assertEquals(best, stopping.best(), 0.0);
      assertTrue(losses[losses.length - 1] > best, "the last epoch was worse");
      // the weights are those of the best epoch again
      assertEquals(best, engine.evaluate(validation).get("loss"), 1e-6);
      assertEquals(stopping.bestEpoch(), stopping.restoredEpoch());
      String reason = history.stopReason().orElseThrow();
      assertTrue(
          reason.startsWith(
                  "early stopping after epoch "
                      + stopping.stoppedEpoch()
                      + ": val_loss did not improve for 2 epochs after epoch "
                      + stopping.bestEpoch())
              && reason.endsWith(
                  "; the weights of epoch " + stopping.bestEpoch() + " are put back"),
          reason);
    }
  }

  @Test
  void accuracyLikeValuesImproveUpwards() {
    assertTrue(EarlyStopping.monitoring("val_accuracy").build().maximises());
    assertTrue(EarlyStopping.monitoring("auc").build().maximises());
    assertEquals(false, EarlyStopping.monitoring("val_loss").build().maximises());
    assertEquals(false, EarlyStopping.monitoring("rmse").build().maximises());
  }
}
