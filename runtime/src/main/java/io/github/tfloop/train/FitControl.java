package io.github.tfloop.train;

import java.util.List;
import java.util.Map;

/** What a {@link TrainingListener} can see of, and do to, the fit in progress. */
public interface FitControl {

  /** The number of epochs the fit was asked for. */
  int epochs();

  /**
   * Batches per epoch, or -1 when not known: a dataset streamed from files that do not say how many
   * examples they hold (CSV, TFRecord), before its first epoch has been read to its end.
   */
  int batchesPerEpoch();

  /**
   * Training steps done since the loop was created, over every fit. Counted on the Java side: no
   * session run, no allocation, so it can be read after every batch.
   */
  long globalStep();

  /**
   * The running training loss and metrics of the current epoch, read from the graph. Each call is a
   * session run and allocates: call it at log intervals, not after every batch.
   */
  Map<String, Double> currentMetrics();

  /**
   * Each step's learning rate and the global norm of its last gradients ({@code learning_rate},
   * {@code gradient_norm}, prefixed {@code <step>/} with several steps). One session run: call it
   * at log intervals.
   */
  Map<String, Double> stepScalars();

  /**
   * The names of the values each epoch's {@link EpochLog} holds in this fit, in order: each loss
   * and metric, {@code skipped_batches} when non-finite batches are skipped, each with {@code val_}
   * before it when the fit has validation data, and the learning rate ({@code learning_rate}, or
   * {@code <step>/learning_rate} with several steps).
   */
  List<String> reportedNames();

  /**
   * The fit's history so far: the epochs done (with those of the fit a {@code resume} continues)
   * and the validations taken.
   */
  History history();

  /** The names of the loop's {@code @Step}s, in the order they run. */
  List<String> steps();

  /**
   * The learning rate of {@code step}'s next update: its schedule's value times its scale. One
   * session run.
   *
   * @throws IllegalArgumentException naming the steps there are, if there is none of that name
   */
  double learningRate(String step);

  /**
   * The factor {@code step}'s scheduled learning rate is multiplied by: 1 unless a listener changed
   * it.
   */
  double learningRateScale(String step);

  /**
   * Multiplies {@code step}'s scheduled learning rate by {@code scale} from its next update on. The
   * scale is a variable of the graph, saved in checkpoints, so a resumed fit goes on with it.
   *
   * @throws IllegalStateException unless a listener of the loop says it {@link
   *     TrainingListener#adjustsLearningRate() adjusts learning rates} (the scale is in the graph
   *     only then)
   * @throws IllegalArgumentException if {@code scale} is not positive and finite, or there is no
   *     such step
   */
  void setLearningRateScale(String step, double scale);

  /** The value of every trainable variable, by name, flat, as floats. One session run; copies. */
  Map<String, float[]> weights();

  /** A copy of the current weights and model state; close it when no longer needed. */
  WeightSnapshot snapshotWeights();

  /** Sets the weights and model state back to {@code snapshot}. */
  void restoreWeights(WeightSnapshot snapshot);

  /** Asks the fit to stop after the current batch. */
  void stop();

  /**
   * Asks the fit to stop after the current batch, saying why: the reason is the history's {@link
   * History#stopReason()}.
   */
  void stop(String reason);

  /** Whether {@link #stop()} was called. */
  boolean stopRequested();
}
