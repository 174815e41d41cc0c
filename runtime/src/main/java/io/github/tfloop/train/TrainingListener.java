package io.github.tfloop.train;

import java.util.List;

/**
 * Watches a {@link io.github.tfloop.train.History fit} at fixed points; every method does nothing
 * by default. Listeners run on the training thread, in the order they were added to the {@link
 * LoopOptions}. A listener that stops training calls {@link FitControl#stop()}.
 *
 * <p>{@link #onBatchBegin} and {@link #onBatchEnd} run for every batch: keep them cheap and
 * allocation-free, or the loop is no longer either.
 */
public interface TrainingListener {

  /**
   * Whether this listener reads the steps' gradient norms ({@code gradient_norm} in {@link
   * FitControl#stepScalars()}), which the loop then keeps; false by default.
   */
  default boolean readsGradientNorm() {
    return false;
  }

  /**
   * Whether this listener changes learning rates ({@link FitControl#setLearningRateScale}); the
   * loop then keeps a learning-rate scale per step in the graph. False by default.
   */
  default boolean adjustsLearningRate() {
    return false;
  }

  /**
   * The names of the values this listener reads from each epoch's log, such as {@code val_loss}:
   * {@code fit} checks them against the names the loop reports ({@link FitControl#reportedNames()})
   * before it trains, and refuses a name it does not report, saying which it does. None by default.
   */
  default List<String> monitors() {
    return List.of();
  }

  /**
   * The names of the loop's steps ({@code @Step} methods) this listener acts on, such as those
   * whose learning rate it lowers: {@code fit} refuses a name the loop has no step of before it
   * trains, before any checkpoint is read, written or moved. None by default.
   */
  default List<String> stepsNamed() {
    return List.of();
  }

  /** Before the first epoch. */
  default void onTrainBegin(FitControl control) {}

  /** Before each epoch; {@code epoch} counts from 1. */
  default void onEpochBegin(FitControl control, int epoch) {}

  /** Before each batch; {@code batch} counts from 1 within the epoch. */
  default void onBatchBegin(FitControl control, int epoch, int batch) {}

  /** After each batch; {@code batch} counts from 1 within the epoch. */
  default void onBatchEnd(FitControl control, int epoch, int batch) {}

  /**
   * After each validation taken within an epoch ({@link LoopOptions.Builder#validateEverySteps}),
   * after that batch's {@link #onBatchEnd}.
   */
  default void onValidationEnd(FitControl control, ValidationLog log) {}

  /** After each epoch, with its training and validation results. */
  default void onEpochEnd(FitControl control, EpochLog log) {}

  /** After the last epoch, or after a listener stopped training. */
  default void onTrainEnd(FitControl control, History history) {}
}
