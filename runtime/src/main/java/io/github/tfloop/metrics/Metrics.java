package io.github.tfloop.metrics;

/** Factories for the built-in {@link Metric}s. */
public final class Metrics {

  private Metrics() {}

  /**
   * Accuracy of a classifier: the fraction of examples whose arg-max prediction over {@code [batch,
   * classes]} equals the integer class label.
   */
  public static Metric accuracy() {
    return new SparseCategoricalAccuracy();
  }
}
