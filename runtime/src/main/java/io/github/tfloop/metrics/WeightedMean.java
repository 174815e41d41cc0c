package io.github.tfloop.metrics;

import io.github.tfloop.metrics.MetricContext.Accumulator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The mean of a batch-mean scalar (a loss) over every example seen: each batch counts by its
 * number of examples, so a smaller last batch weighs less.
 */
public final class WeightedMean {

  private WeightedMean() {}

  /**
   * Builds the running mean of {@code batchMean}, weighting each batch by the size of {@code
   * batch}'s first dimension.
   */
  public static MetricState of(
      MetricContext context, String name, Operand<? extends TNumber> batchMean,
      Operand<? extends TType> batch) {
    Ops tf = context.ops();
    Accumulator total = context.accumulator(name, "total", Shape.scalar());
    Accumulator count = context.accumulator(name, "count", Shape.scalar());
    Operand<TFloat64> examples = context.batchSize(batch);
    Operand<TFloat64> value = tf.dtypes.cast(batchMean, TFloat64.class);
    return new MetricState(
        context.group(List.of(total.add(tf.math.mul(value, examples)), count.add(examples))),
        tf.math.divNoNan(total.value(), count.value()),
        context.group(List.of(total.reset(), count.reset())));
  }
}
