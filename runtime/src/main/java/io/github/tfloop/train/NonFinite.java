package io.github.tfloop.train;

/**
 * What training does when a batch's loss or one of its gradients is NaN or infinite. The check runs
 * inside the graph, in the same session run as the step, so it costs no fetch; but it makes every
 * update wait for the whole backward pass, about 5% of an MLP step here (BENCHMARKS.md), so it is
 * off unless asked for. Checkpoints are protected either way: none is ever written from non-finite
 * weights.
 */
public enum NonFinite {
  /**
   * Stop with a {@link NonFiniteException} naming the global step, epoch, batch and the first
   * non-finite tensor; the offending update is not applied.
   */
  STOP,
  /**
   * Leave the weights and optimizer state as they were for that batch and go on; the epoch's
   * results count the skipped batches as {@code skipped_batches}.
   */
  SKIP,
  /**
   * No check (the default): a NaN or infinite gradient is applied like any other and the weights
   * may become non-finite; a fit that writes checkpoints then stops with a {@link
   * NonFiniteException} at the next checkpoint, which it does not write.
   */
  OFF
}
