package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The mean of a batch-mean scalar (a loss) over every example seen: each batch counts by its number
 * of examples, so a smaller last batch weighs less.
 */
public final class WeightedMean {

  private WeightedMean() {}

  /**
   * Builds the running mean of {@code batchMean}, weighting each batch by the size of {@code
   * batch}'s first dimension.
   */
  public static MetricState of(
      MetricContext context,
      String name,
      Operand<? extends TNumber> batchMean,
      Operand<? extends TType> batch) {
    Ops tf = context.ops();
    Operand<TFloat64> examples = context.batchSize(batch);
    Operand<TFloat64> value = tf.dtypes.cast(batchMean, TFloat64.class);
    return MeanMetric.runningMean(context, name, tf.math.mul(value, examples), examples);
  }
}
