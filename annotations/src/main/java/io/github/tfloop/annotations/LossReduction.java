package io.github.tfloop.annotations;

/** How a {@link StandardLoss} reduces per-example losses to the scalar a step minimises. */
public enum LossReduction {
  /** The mean over the batch (the default). */
  MEAN,
  /** The sum over the batch. */
  SUM
}
