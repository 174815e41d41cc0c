package io.github.tfloop.monitor;

import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.TrainingListener;
import io.github.tfloop.train.ValidationLog;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Writes TensorBoard event files for a fit, in two run directories so that TensorBoard draws
 * training and validation curves side by side:
 *
 * <ul>
 *   <li>{@code <logDir>/train}: every {@link #everySteps N} steps, the epoch's running loss and
 *       metrics ({@code loss}, {@code accuracy}), each step's {@code learning_rate} and global
 *       {@code gradient_norm}; at each epoch's end, its loss and metrics as {@code epoch_loss},
 *       {@code epoch_accuracy}; with {@link #histograms}, each weight's distribution;
 *   <li>{@code <logDir>/validation}: at each epoch's end, the validation loss and metrics under the
 *       same {@code epoch_} tags, so that TensorBoard draws both runs on one chart; with {@code
 *       LoopOptions.validateEverySteps}, each validation within an epoch under the running tags
 *       ({@code loss}, {@code accuracy}), beside the training run's.
 * </ul>
 *
 * Each epoch's learning rate is {@code epoch_learning_rate}.
 *
 * <p>The x-axis is the global step. Reading the running values costs one session run every N steps;
 * the batches in between are not touched.
 *
 * <pre>{@code
 * LoopOptions.builder().listener(TensorBoard.to(Path.of("runs/mlp")).everySteps(50))
 * // then: tensorboard --logdir runs
 * }</pre>
 */
public final class TensorBoard implements TrainingListener, AutoCloseable {

  private final Path logDir;
  private final int everySteps;
  private final int histogramsEveryEpochs;
  private EventFileWriter train;
  private EventFileWriter validation;

  private TensorBoard(Path logDir, int everySteps, int histogramsEveryEpochs) {
    this.logDir = logDir;
    this.everySteps = everySteps;
    this.histogramsEveryEpochs = histogramsEveryEpochs;
  }

  /** Logs into {@code logDir}: scalars every 100 steps and at each epoch's end, no histograms. */
  public static TensorBoard to(Path logDir) {
    return new TensorBoard(Objects.requireNonNull(logDir, "logDir"), 100, 0);
  }

  /** Logs the running scalars every {@code steps} steps; 0 logs only at each epoch's end. */
  public TensorBoard everySteps(int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException(
          "everySteps must be 0 (epochs only) or more, got " + steps);
    }
    return new TensorBoard(logDir, steps, histogramsEveryEpochs);
  }

  /** Also logs a histogram of every weight every {@code epochs} epochs; 0 (the default): never. */
  public TensorBoard histograms(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("histograms must be 0 (never) or more, got " + epochs);
    }
    return new TensorBoard(logDir, everySteps, epochs);
  }

  /** The training run's directory: {@code <logDir>/train}. */
  public Path trainDirectory() {
    return logDir.resolve("train");
  }

  /** The validation run's directory: {@code <logDir>/validation}. */
  public Path validationDirectory() {
    return logDir.resolve("validation");
  }

  /** Every N steps it logs each step's {@code gradient_norm}, which the loop then keeps. */
  @Override
  public boolean readsGradientNorm() {
    return true;
  }

  @Override
  public void onTrainBegin(FitControl control) {
    close();
    train = EventFileWriter.create(trainDirectory());
  }

  @Override
  public void onBatchEnd(FitControl control, int epoch, int batch) {
    if (everySteps > 0 && control.globalStep() % everySteps == 0) {
      long step = control.globalStep();
      write(train, step, control.currentMetrics());
      write(train, step, control.stepScalars());
      train.flush();
    }
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    long step = control.globalStep();
    Map<String, Double> metrics = log.metrics();
    metrics.forEach(
        (name, value) -> {
          if (name.startsWith("val_")) {
            if (validation == null) {
              validation = EventFileWriter.create(validationDirectory());
            }
            validation.scalar("epoch_" + name.substring("val_".length()), step, value);
          } else {
            train.scalar("epoch_" + name, step, value);
          }
        });
    if (everySteps == 0 || step % everySteps != 0) {
      write(train, step, control.stepScalars());
    }
    if (histogramsEveryEpochs > 0 && log.epoch() % histogramsEveryEpochs == 0) {
      control.weights().forEach((name, values) -> train.histogram(name, step, values));
    }
    train.flush();
    if (validation != null) {
      validation.flush();
    }
  }

  @Override
  public void onValidationEnd(FitControl control, ValidationLog log) {
    if (validation == null) {
      validation = EventFileWriter.create(validationDirectory());
    }
    log.metrics()
        .forEach(
            (name, value) ->
                validation.scalar(
                    name.startsWith("val_") ? name.substring("val_".length()) : name,
                    log.globalStep(),
                    value));
    validation.flush();
  }

  @Override
  public void onTrainEnd(FitControl control, History history) {
    close();
  }

  private static void write(EventFileWriter writer, long step, Map<String, Double> values) {
    values.forEach((name, value) -> writer.scalar(name, step, value));
  }

  /** Closes the event files; a next fit opens new ones. */
  @Override
  public void close() {
    if (train != null) {
      train.close();
      train = null;
    }
    if (validation != null) {
      validation.close();
      validation = null;
    }
  }
}
