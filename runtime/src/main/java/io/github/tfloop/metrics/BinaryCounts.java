package io.github.tfloop.metrics;

import io.github.tfloop.metrics.MetricContext.Accumulator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * Precision, recall and F1 of a binary classifier, from true-positive, false-positive and
 * false-negative counts accumulated over every batch.
 */
final class BinaryCounts implements Metric {

  enum Kind {
    PRECISION("precision"),
    RECALL("recall"),
    F1("f1");

    final String metricName;

    Kind(String metricName) {
      this.metricName = metricName;
    }
  }

  private final Kind kind;
  private final boolean fromLogits;

  BinaryCounts(Kind kind, boolean fromLogits) {
    this.kind = kind;
    this.fromLogits = fromLogits;
  }

  @Override
  public String name() {
    return kind.metricName;
  }

  @Override
  public MetricState build(
      MetricContext context,
      Operand<? extends TNumber> predictions,
      Operand<? extends TNumber> labels) {
    requireBinaryShape(name(), predictions, labels);
    Ops tf = context.ops();
    Operand<TFloat64> predicted = positive(tf, predictions, fromLogits);
    Operand<TFloat64> actual = flat(tf, labels);
    Operand<TFloat64> one = tf.constant(1.0);
    Accumulator truePositives = context.accumulator(name(), "true_positives", Shape.scalar());
    Accumulator falsePositives = context.accumulator(name(), "false_positives", Shape.scalar());
    Accumulator falseNegatives = context.accumulator(name(), "false_negatives", Shape.scalar());
    Operand<TFloat64> tp = tf.sum(tf.math.mul(predicted, actual), tf.constant(0));
    Operand<TFloat64> fp = tf.sum(tf.math.mul(predicted, tf.math.sub(one, actual)), tf.constant(0));
    Operand<TFloat64> fn = tf.sum(tf.math.mul(tf.math.sub(one, predicted), actual), tf.constant(0));
    Operand<TFloat64> precision =
        tf.math.divNoNan(
            truePositives.value(), tf.math.add(truePositives.value(), falsePositives.value()));
    Operand<TFloat64> recall =
        tf.math.divNoNan(
            truePositives.value(), tf.math.add(truePositives.value(), falseNegatives.value()));
    Operand<TFloat64> result =
        switch (kind) {
          case PRECISION -> precision;
          case RECALL -> recall;
          case F1 ->
              tf.math.divNoNan(
                  tf.math.mul(tf.constant(2.0), tf.math.mul(precision, recall)),
                  tf.math.add(precision, recall));
        };
    return new MetricState(
        context.group(
            List.of(truePositives.add(tp), falsePositives.add(fp), falseNegatives.add(fn))),
        result,
        context.group(
            List.of(truePositives.reset(), falsePositives.reset(), falseNegatives.reset())));
  }

  /** 1 where the prediction is positive (logit above 0, probability above 0.5), else 0; flat. */
  static Operand<TFloat64> positive(
      Ops tf, Operand<? extends TNumber> predictions, boolean fromLogits) {
    Operand<TFloat64> values = flat(tf, predictions);
    return tf.dtypes.cast(
        tf.math.greater(values, tf.constant(fromLogits ? 0.0 : 0.5)), TFloat64.class);
  }

  /** The values as a float64 {@code [batch]} vector. */
  static Operand<TFloat64> flat(Ops tf, Operand<? extends TNumber> values) {
    return tf.reshape(tf.dtypes.cast(values, TFloat64.class), tf.constant(new long[] {-1}));
  }

  /** Binary metrics take one value per example: {@code [batch]} or {@code [batch, 1]}. */
  static void requireBinaryShape(
      String metric, Operand<? extends TNumber> predictions, Operand<? extends TNumber> labels) {
    for (Operand<? extends TNumber> operand : List.of(predictions, labels)) {
      Shape shape = operand.shape();
      boolean binary =
          shape.numDimensions() == 1 || (shape.numDimensions() == 2 && shape.get(1) == 1);
      if (!binary) {
        throw new IllegalArgumentException(
            metric
                + " needs one prediction and one 0/1 label per example ([batch] or [batch, 1]),"
                + " got predictions "
                + predictions.shape()
                + " and labels "
                + labels.shape());
      }
    }
  }
}
