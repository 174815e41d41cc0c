package io.github.tfloop.annotations;

/**
 * Metrics a {@link TrainingLoop} computes in the graph besides the loss, from the primary model's
 * output and the first {@link Label}, reported under the name given on each constant. Binary
 * metrics read the output as a logit (positive above 0) unless {@link TrainingLoop#logits()} is
 * false (then a probability, positive above 0.5), and take 0/1 labels of shape {@code {}} or {@code
 * {1}}.
 */
public enum Metric {
  /**
   * Fraction of examples classified correctly, reported as {@code accuracy}: against an integer
   * class label of shape {@code {}}, the arg-max of the output; against a float label of shape
   * {@code {}} or {@code {1}}, the binary decision; against a one-hot float label of shape {@code
   * {k}}, the arg-max of both.
   */
  ACCURACY,
  /**
   * The arg-max of the output against an integer class label, as {@code
   * sparse_categorical_accuracy}.
   */
  SPARSE_CATEGORICAL_ACCURACY,
  /**
   * The arg-max of the output against the arg-max of a one-hot label, as {@code
   * categorical_accuracy}.
   */
  CATEGORICAL_ACCURACY,
  /** Binary decisions against 0/1 labels, as {@code binary_accuracy}. */
  BINARY_ACCURACY,
  /** True positives over predicted positives, as {@code precision}. */
  PRECISION,
  /** True positives over actual positives, as {@code recall}. */
  RECALL,
  /** The harmonic mean of precision and recall, as {@code f1}. */
  F1,
  /** Area under the ROC curve, from counts at 200 thresholds, as {@code auc}. */
  AUC,
  /** Mean absolute error over every element, as {@code mae}. Needs a float label. */
  MAE,
  /** Root mean squared error over every element, as {@code rmse}. Needs a float label. */
  RMSE
}
