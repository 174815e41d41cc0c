package io.github.tfloop.metrics;

import io.github.tfloop.metrics.MetricContext.Accumulator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * Area under the ROC curve of a binary classifier, as Keras computes it: true and false positives
 * and negatives counted at {@code thresholds} evenly spaced thresholds on the predicted probability
 * (plus one just below 0 and one just above 1), accumulated over every batch, and the curve
 * integrated with the trapezoidal rule.
 */
final class Auc implements Metric {

  private final int thresholds;
  private final boolean fromLogits;

  Auc(int thresholds, boolean fromLogits) {
    if (thresholds < 3) {
      throw new IllegalArgumentException("auc needs at least 3 thresholds, got " + thresholds);
    }
    this.thresholds = thresholds;
    this.fromLogits = fromLogits;
  }

  @Override
  public String name() {
    return "auc";
  }

  /** Keras's thresholds: {@code -eps, 1/(n-1), ..., (n-2)/(n-1), 1 + eps}. */
  double[] thresholdValues() {
    double[] values = new double[thresholds];
    double epsilon = 1e-7;
    values[0] = -epsilon;
    for (int i = 1; i < thresholds - 1; i++) {
      values[i] = i / (double) (thresholds - 1);
    }
    values[thresholds - 1] = 1 + epsilon;
    return values;
  }

  @Override
  public MetricState build(
      MetricContext context,
      Operand<? extends TNumber> predictions,
      Operand<? extends TNumber> labels) {
    BinaryCounts.requireBinaryShape(name(), predictions, labels);
    Ops tf = context.ops();
    Operand<TFloat64> probabilities = BinaryCounts.flat(tf, predictions);
    if (fromLogits) {
      probabilities = tf.math.sigmoid(probabilities);
    }
    Operand<TFloat64> actual =
        tf.reshape(BinaryCounts.flat(tf, labels), tf.constant(new long[] {-1, 1}));
    Operand<TFloat64> one = tf.constant(1.0);
    // above[b, i]: prediction b is above threshold i
    Operand<TFloat64> above =
        tf.dtypes.cast(
            tf.math.greater(
                tf.reshape(probabilities, tf.constant(new long[] {-1, 1})),
                tf.reshape(
                    tf.constant(thresholdValues()), tf.constant(new long[] {1, thresholds}))),
            TFloat64.class);
    Operand<TFloat64> below = tf.math.sub(one, above);
    Operand<TFloat64> negative = tf.math.sub(one, actual);
    Shape shape = Shape.of(thresholds);
    Accumulator tp = context.accumulator(name(), "true_positives", shape);
    Accumulator fp = context.accumulator(name(), "false_positives", shape);
    Accumulator tn = context.accumulator(name(), "true_negatives", shape);
    Accumulator fn = context.accumulator(name(), "false_negatives", shape);
    Operand<org.tensorflow.types.TInt32> batchAxis = tf.constant(0);
    org.tensorflow.op.Op update =
        context.group(
            List.of(
                tp.add(tf.sum(tf.math.mul(above, actual), batchAxis)),
                fp.add(tf.sum(tf.math.mul(above, negative), batchAxis)),
                tn.add(tf.sum(tf.math.mul(below, negative), batchAxis)),
                fn.add(tf.sum(tf.math.mul(below, actual), batchAxis))));
    Operand<TFloat64> tpr = tf.math.divNoNan(tp.value(), tf.math.add(tp.value(), fn.value()));
    Operand<TFloat64> fpr = tf.math.divNoNan(fp.value(), tf.math.add(fp.value(), tn.value()));
    // thresholds ascend, so the rates descend: area = sum (fpr[i] - fpr[i+1]) (tpr[i] + tpr[i+1]) /
    // 2
    Operand<TFloat64> fprHead =
        tf.slice(fpr, tf.constant(new int[] {0}), tf.constant(new int[] {thresholds - 1}));
    Operand<TFloat64> fprTail =
        tf.slice(fpr, tf.constant(new int[] {1}), tf.constant(new int[] {thresholds - 1}));
    Operand<TFloat64> tprHead =
        tf.slice(tpr, tf.constant(new int[] {0}), tf.constant(new int[] {thresholds - 1}));
    Operand<TFloat64> tprTail =
        tf.slice(tpr, tf.constant(new int[] {1}), tf.constant(new int[] {thresholds - 1}));
    Operand<TFloat64> area =
        tf.sum(
            tf.math.mul(
                tf.math.sub(fprHead, fprTail),
                tf.math.mul(tf.math.add(tprHead, tprTail), tf.constant(0.5))),
            batchAxis);
    return new MetricState(
        update, area, context.group(List.of(tp.reset(), fp.reset(), tn.reset(), fn.reset())));
  }
}
