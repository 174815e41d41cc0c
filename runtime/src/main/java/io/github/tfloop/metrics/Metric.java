package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.types.family.TNumber;

/**
 * A metric computed in the graph from a model output and a label. {@link #build} creates its state
 * variables through the context and returns the ops that update, read and reset them.
 */
public interface Metric {

  /** The name results are reported under, such as {@code accuracy}. */
  String name();

  /**
   * Builds the metric's state and ops.
   *
   * @param predictions the model output for a batch
   * @param labels the labels of the same batch
   * @throws IllegalArgumentException if the metric cannot be computed from operands of these shapes
   *     and types, naming both
   */
  MetricState build(
      MetricContext context,
      Operand<? extends TNumber> predictions,
      Operand<? extends TNumber> labels);

  /** This metric reported under another name, such as {@code accuracy} for a binary accuracy. */
  default Metric named(String name) {
    Metric metric = this;
    return new Metric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public MetricState build(
          MetricContext context,
          Operand<? extends TNumber> predictions,
          Operand<? extends TNumber> labels) {
        return metric.build(context, predictions, labels);
      }
    };
  }
}
