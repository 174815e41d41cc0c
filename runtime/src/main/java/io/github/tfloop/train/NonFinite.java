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
   * non-finite tensor; the offending update is not applied (weights, optimizer state, and model
   * state such as batch normalisation's moving averages stay as they were). {@code step()} throws
   * it too, with epoch and batch 0.
   */
  STOP,
  /**
   * Leave the weights, optimizer state and model state (batch normalisation's moving averages) as
   * they were for that batch and go on; the batch counts in none of the epoch's loss and metrics,
   * and the epoch's results count the skipped batches as {@code skipped_batches}. (Precisely: a
   * batch counts when every loss is finite and the step that runs on every batch applied it; on a
   * cluster, when every loss of the worker's share is finite.)
   */
  SKIP,
  /**
   * No check (the default): a NaN or infinite gradient is applied like any other and the weights
   * may become non-finite; a fit that writes checkpoints then stops with a {@link
   * NonFiniteException} at the next checkpoint, which it does not write.
   */
  OFF
}
