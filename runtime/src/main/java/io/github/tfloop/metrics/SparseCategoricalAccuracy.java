package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Fraction of examples whose arg-max prediction {@code [batch, classes]} equals the class label.
 */
final class SparseCategoricalAccuracy extends MeanMetric {

  SparseCategoricalAccuracy() {
    super("accuracy");
  }

  @Override
  Operand<TFloat64> batchTotal(
      Ops tf, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {
    if (predictions.shape().numDimensions() != 2 || labels.shape().numDimensions() != 1) {
      throw new IllegalArgumentException(
          "accuracy needs predictions [batch, classes] and class labels [batch], got "
              + predictions.shape()
              + " and "
              + labels.shape());
    }
    Operand<TInt64> predicted = tf.math.argMax(predictions, tf.constant(-1), TInt64.class);
    Operand<TInt64> actual = tf.dtypes.cast(labels, TInt64.class);
    Operand<TFloat64> correct = tf.dtypes.cast(tf.math.equal(predicted, actual), TFloat64.class);
    return tf.sum(correct, tf.constant(0));
  }
}
