package io.github.tfloop.train;

/**
 * What training does when a batch's loss or one of its gradients is NaN or infinite. The check runs
 * inside the graph, in the same session run as the step, so it costs no fetch.
 */
public enum NonFinite {
  /**
   * Stop with a {@link NonFiniteException} naming the global step, epoch, batch and the first
   * non-finite tensor; the offending update is not applied. The default.
   */
  STOP,
  /**
   * Leave the weights and optimizer state as they were for that batch and go on; the epoch's
   * results count the skipped batches as {@code skipped_batches}.
   */
  SKIP,
  /**
   * No check: a NaN or infinite gradient is applied like any other and the weights may become
   * non-finite. Saves the check's small cost (measured in the project's README).
   */
  OFF
}
