package io.github.tfloop.train;

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

  /** Before the first epoch. */
  default void onTrainBegin(FitControl control) {}

  /** Before each epoch; {@code epoch} counts from 1. */
  default void onEpochBegin(FitControl control, int epoch) {}

  /** Before each batch; {@code batch} counts from 1 within the epoch. */
  default void onBatchBegin(FitControl control, int epoch, int batch) {}

  /** After each batch; {@code batch} counts from 1 within the epoch. */
  default void onBatchEnd(FitControl control, int epoch, int batch) {}

  /** After each epoch, with its training and validation results. */
  default void onEpochEnd(FitControl control, EpochLog log) {}

  /** After the last epoch, or after a listener stopped training. */
  default void onTrainEnd(FitControl control, History history) {}
}
