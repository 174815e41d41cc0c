package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * Fraction of binary predictions on the right side of the threshold: 0 for logits, 0.5 for
 * probabilities. Predictions and labels are {@code [batch]} or {@code [batch, 1]}.
 */
final class BinaryAccuracy extends MeanMetric {

  private final boolean fromLogits;

  BinaryAccuracy(boolean fromLogits) {
    super("binary_accuracy");
    this.fromLogits = fromLogits;
  }

  @Override
  Operand<TFloat64> batchTotal(
      Ops tf, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {
    BinaryCounts.requireBinaryShape("binary_accuracy", predictions, labels);
    Operand<TFloat64> predicted = BinaryCounts.positive(tf, predictions, fromLogits);
    Operand<TFloat64> actual = BinaryCounts.flat(tf, labels);
    Operand<TFloat64> correct = tf.dtypes.cast(tf.math.equal(predicted, actual), TFloat64.class);
    return tf.sum(correct, tf.constant(0));
  }
}
