package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/** Fraction of examples whose arg-max prediction equals the arg-max of a one-hot label. */
final class CategoricalAccuracy extends MeanMetric {

  CategoricalAccuracy() {
    super("categorical_accuracy");
  }

  @Override
  Operand<TFloat64> batchTotal(
      Ops tf, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {
    Operand<TInt64> predicted = tf.math.argMax(predictions, tf.constant(-1), TInt64.class);
    Operand<TInt64> actual = tf.math.argMax(labels, tf.constant(-1), TInt64.class);
    return tf.sum(tf.dtypes.cast(tf.math.equal(predicted, actual), TFloat64.class), tf.constant(0));
  }
}
