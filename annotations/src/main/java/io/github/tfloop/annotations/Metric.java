package io.github.tfloop.annotations;

/** Metrics a {@link TrainingLoop} computes in the graph besides the loss. */
public enum Metric {
  /**
   * Fraction of examples classified correctly: the arg-max of the model output against an integer
   * class label. The first {@link Label} must be a scalar {@code Operand<TInt32>} or {@code
   * Operand<TInt64>}; reported as {@code accuracy}.
   */
  ACCURACY
}
