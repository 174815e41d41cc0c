package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * Regression errors over every element of every batch: the mean absolute error, or the root of the
 * mean squared error.
 */
final class ErrorMetric implements Metric {

  private final boolean rootMeanSquared;

  ErrorMetric(boolean rootMeanSquared) {
    this.rootMeanSquared = rootMeanSquared;
  }

  @Override
  public String name() {
    return rootMeanSquared ? "rmse" : "mae";
  }

  @Override
  public MetricState build(
      MetricContext context,
      Operand<? extends TNumber> predictions,
      Operand<? extends TNumber> labels) {
    Ops tf = context.ops();
    Operand<TFloat64> error =
        tf.math.sub(
            tf.dtypes.cast(predictions, TFloat64.class), tf.dtypes.cast(labels, TFloat64.class));
    Operand<TFloat64> perElement = rootMeanSquared ? tf.math.square(error) : tf.math.abs(error);
    Operand<TFloat64> batchTotal =
        tf.sum(perElement, tf.range(tf.constant(0), tf.rank(perElement), tf.constant(1)));
    Operand<TFloat64> batchCount = tf.dtypes.cast(tf.size(perElement), TFloat64.class);
    MetricState mean = MeanMetric.runningMean(context, name(), batchTotal, batchCount);
    return rootMeanSquared
        ? new MetricState(mean.update(), tf.math.sqrt(mean.result()), mean.reset())
        : mean;
  }
}
