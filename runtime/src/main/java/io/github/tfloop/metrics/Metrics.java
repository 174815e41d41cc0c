package io.github.tfloop.metrics;

/**
 * Factories for the built-in {@link Metric}s. Binary metrics take one prediction per example, a
 * logit when {@code fromLogits} (positive above 0), else a probability (positive above 0.5), and
 * 0/1 labels.
 */
public final class Metrics {

  private Metrics() {}

  /** Fraction of examples whose arg-max over {@code [batch, classes]} equals the integer label. */
  public static Metric accuracy() {
    return new SparseCategoricalAccuracy();
  }

  /** Fraction of examples whose arg-max equals the arg-max of the one-hot label. */
  public static Metric categoricalAccuracy() {
    return new CategoricalAccuracy();
  }

  /** Fraction of binary predictions on the right side of the threshold. */
  public static Metric binaryAccuracy(boolean fromLogits) {
    return new BinaryAccuracy(fromLogits);
  }

  /** True positives over predicted positives. */
  public static Metric precision(boolean fromLogits) {
    return new BinaryCounts(BinaryCounts.Kind.PRECISION, fromLogits);
  }

  /** True positives over actual positives. */
  public static Metric recall(boolean fromLogits) {
    return new BinaryCounts(BinaryCounts.Kind.RECALL, fromLogits);
  }

  /** The harmonic mean of precision and recall. */
  public static Metric f1(boolean fromLogits) {
    return new BinaryCounts(BinaryCounts.Kind.F1, fromLogits);
  }

  /** Area under the ROC curve, from counts at 200 thresholds (Keras's default). */
  public static Metric auc(boolean fromLogits) {
    return new Auc(200, fromLogits);
  }

  /** Area under the ROC curve, from counts at {@code thresholds} thresholds. */
  public static Metric auc(boolean fromLogits, int thresholds) {
    return new Auc(thresholds, fromLogits);
  }

  /** Mean absolute error over every element. */
  public static Metric meanAbsoluteError() {
    return new ErrorMetric(false);
  }

  /** Root mean squared error over every element. */
  public static Metric rootMeanSquaredError() {
    return new ErrorMetric(true);
  }
}
