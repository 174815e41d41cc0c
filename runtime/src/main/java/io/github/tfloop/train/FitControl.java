package io.github.tfloop.train;

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

  /** The value of every trainable variable, by name, flat, as floats. One session run; copies. */
  Map<String, float[]> weights();

  /** A copy of the current weights and model state; close it when no longer needed. */
  WeightSnapshot snapshotWeights();

  /** Sets the weights and model state back to {@code snapshot}. */
  void restoreWeights(WeightSnapshot snapshot);

  /** Asks the fit to stop after the current batch. */
  void stop();

  /** Whether {@link #stop()} was called. */
  boolean stopRequested();
}
