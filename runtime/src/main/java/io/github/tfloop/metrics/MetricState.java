package io.github.tfloop.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat64;

/**
 * The ops of one built metric.
 *
 * @param update adds a batch to the state
 * @param result the metric over every batch added since the last reset
 * @param reset clears the state
 */
public record MetricState(Op update, Operand<TFloat64> result, Op reset) {}
