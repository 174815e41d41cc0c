package io.github.tfloop.metrics;

import io.github.tfloop.metrics.MetricContext.Accumulator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * A metric that is the mean of a per-example value over every example seen: a total and a count.
 * Subclasses compute the per-batch sum of the value.
 */
abstract class MeanMetric implements Metric {

  private final String name;

  MeanMetric(String name) {
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  /** The sum over the batch of the per-example value. */
  abstract Operand<TFloat64> batchTotal(
      Ops tf, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels);

  @Override
  public final MetricState build(
      MetricContext context,
      Operand<? extends TNumber> predictions,
      Operand<? extends TNumber> labels) {
    return runningMean(
        context, name, batchTotal(context.ops(), predictions, labels), context.batchSize(labels));
  }

  /**
   * The running mean {@code total / count} (0 before any count) in two accumulators, {@code
   * <name>/total} and {@code <name>/count}, to which each update adds {@code batchTotal} and {@code
   * batchCount}.
   */
  static MetricState runningMean(
      MetricContext context,
      String name,
      Operand<TFloat64> batchTotal,
      Operand<TFloat64> batchCount) {
    Accumulator total = context.accumulator(name, "total", Shape.scalar());
    Accumulator count = context.accumulator(name, "count", Shape.scalar());
    return new MetricState(
        context.group(List.of(total.add(batchTotal), count.add(batchCount))),
        context.ops().math.divNoNan(total.value(), count.value()),
        context.group(List.of(total.reset(), count.reset())));
  }
}
