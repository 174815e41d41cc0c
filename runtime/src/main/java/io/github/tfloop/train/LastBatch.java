package io.github.tfloop.train;

/** What training does with the examples left over when the data is not a multiple of the batch. */
public enum LastBatch {
  /**
   * Skip them this epoch. Every step sees a full batch, and since each epoch is shuffled anew,
   * every example is still trained on across epochs. The default.
   */
  DROP,
  /** Train on them as one smaller batch at the end of the epoch. */
  PARTIAL
}
