package io.github.tfloop.loss;

import io.github.tfloop.gradients.MissingGradients;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Losses for {@code @Loss} methods, with Keras's definitions. Each computes one value per example
 * (the mean over an example's elements where it has several) and reduces them as the {@link
 * Reduction} says: by default, the mean over the batch.
 *
 * <pre>{@code
 * @Loss
 * Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
 *   return Losses.sparseCategoricalCrossentropy(tf, logits, label);
 * }
 * }</pre>
 */
public final class Losses {

  /** Probabilities are clipped to {@code [EPSILON, 1 - EPSILON]} before their logarithm. */
  public static final double EPSILON = 1e-7;

  private Losses() {}

  /**
   * Cross-entropy between integer class labels {@code [batch]} and unnormalised logits {@code
   * [batch, classes]}, averaged over the batch.
   */
  public static <T extends TNumber> Operand<T> sparseCategoricalCrossentropy(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels) {
    return sparseCategoricalCrossentropy(tf, logits, labels, true, Reduction.MEAN);
  }

  /**
   * Cross-entropy between integer class labels {@code [batch]} and predictions {@code [batch,
   * classes]}: logits if {@code fromLogits}, else probabilities.
   */
  public static <T extends TNumber> Operand<T> sparseCategoricalCrossentropy(
      Ops tf,
      Operand<T> predictions,
      Operand<? extends TNumber> labels,
      boolean fromLogits,
      Reduction reduction) {
    MissingGradients.register();
    Operand<T> logits = fromLogits ? predictions : tf.math.log(clip(tf, predictions));
    Operand<T> perExample = tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss();
    return reduce(tf, perExample, reduction);
  }

  /**
   * Cross-entropy between one-hot (or soft) targets and predictions, both {@code [batch, classes]}:
   * logits if {@code fromLogits}, else probabilities.
   */
  public static <T extends TNumber> Operand<T> categoricalCrossentropy(
      Ops tf, Operand<T> predictions, Operand<T> targets, boolean fromLogits, Reduction reduction) {
    requireSameShape("categoricalCrossentropy", predictions, targets);
    Operand<T> perExample;
    if (fromLogits) {
      // -sum(targets * logSoftmax(logits)): stable, and its gradient (unlike the C++ gradient of
      // SoftmaxCrossEntropyWithLogits in TensorFlow 2.18) builds for float64 too
      perExample =
          tf.math.neg(tf.sum(tf.math.mul(targets, tf.nn.logSoftmax(predictions)), tf.constant(-1)));
    } else {
      Operand<T> normalised =
          tf.math.div(predictions, tf.sum(predictions, tf.constant(-1), sumKeepDims()));
      perExample =
          tf.math.neg(
              tf.sum(tf.math.mul(targets, tf.math.log(clip(tf, normalised))), tf.constant(-1)));
    }
    return reduce(tf, perExample, reduction);
  }

  /**
   * Binary cross-entropy between targets in [0, 1] and predictions of the same shape: logits if
   * {@code fromLogits} (computed stably as {@code max(x, 0) - x y + log(1 + exp(-|x|))}), else
   * probabilities.
   */
  public static <T extends TNumber> Operand<T> binaryCrossentropy(
      Ops tf, Operand<T> predictions, Operand<T> targets, boolean fromLogits, Reduction reduction) {
    requireSameShape("binaryCrossentropy", predictions, targets);
    Operand<T> elementwise;
    if (fromLogits) {
      Operand<T> x = predictions;
      elementwise =
          tf.math.add(
              tf.math.sub(tf.math.maximum(x, zero(tf, x)), tf.math.mul(x, targets)),
              tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(x)))));
    } else {
      Operand<T> p = clip(tf, predictions);
      Operand<T> one = tf.dtypes.cast(tf.constant(1), p.type());
      elementwise =
          tf.math.neg(
              tf.math.add(
                  tf.math.mul(targets, tf.math.log(p)),
                  tf.math.mul(tf.math.sub(one, targets), tf.math.log(tf.math.sub(one, p)))));
    }
    return reduce(tf, perExample(tf, elementwise), reduction);
  }

  /** Mean squared error between predictions and targets of the same shape. */
  public static <T extends TNumber> Operand<T> meanSquaredError(
      Ops tf, Operand<T> predictions, Operand<T> targets) {
    return meanSquaredError(tf, predictions, targets, Reduction.MEAN);
  }

  /** Mean squared error, reduced as {@code reduction} says. */
  public static <T extends TNumber> Operand<T> meanSquaredError(
      Ops tf, Operand<T> predictions, Operand<T> targets, Reduction reduction) {
    requireSameShape("meanSquaredError", predictions, targets);
    return reduce(tf, perExample(tf, tf.math.squaredDifference(predictions, targets)), reduction);
  }

  /** Mean absolute error between predictions and targets of the same shape. */
  public static <T extends TNumber> Operand<T> meanAbsoluteError(
      Ops tf, Operand<T> predictions, Operand<T> targets, Reduction reduction) {
    requireSameShape("meanAbsoluteError", predictions, targets);
    return reduce(tf, perExample(tf, tf.math.abs(tf.math.sub(predictions, targets))), reduction);
  }

  /**
   * Huber loss: {@code 0.5 e²} where {@code |e| <= delta}, {@code delta (|e| - 0.5 delta)} beyond,
   * for the error {@code e = prediction - target}.
   */
  public static <T extends TNumber> Operand<T> huber(
      Ops tf, Operand<T> predictions, Operand<T> targets, double delta, Reduction reduction) {
    if (!(delta > 0)) {
      throw new IllegalArgumentException("huber delta must be positive, got " + delta);
    }
    requireSameShape("huber", predictions, targets);
    Class<T> type = predictions.type();
    Operand<T> error = tf.math.abs(tf.math.sub(predictions, targets));
    Operand<T> d = tf.dtypes.cast(tf.constant(delta), type);
    Operand<T> half = tf.dtypes.cast(tf.constant(0.5), type);
    Operand<T> quadratic = tf.math.minimum(error, d);
    Operand<T> linear = tf.math.sub(error, quadratic);
    Operand<T> elementwise =
        tf.math.add(tf.math.mul(half, tf.math.square(quadratic)), tf.math.mul(d, linear));
    return reduce(tf, perExample(tf, elementwise), reduction);
  }

  /**
   * Elementwise losses compare predictions and targets of one shape: {@code [batch, 1]} against
   * {@code [batch]} would broadcast to {@code [batch, batch]} and train on nonsense.
   *
   * @throws IllegalArgumentException if the known parts of the two shapes differ
   */
  static void requireSameShape(String loss, Operand<?> predictions, Operand<?> targets) {
    org.tensorflow.ndarray.Shape p = predictions.shape();
    org.tensorflow.ndarray.Shape t = targets.shape();
    if (p.isUnknown() || t.isUnknown()) {
      return;
    }
    boolean same = p.numDimensions() == t.numDimensions();
    for (int i = 0; same && i < p.numDimensions(); i++) {
      same = p.get(i) < 0 || t.get(i) < 0 || p.get(i) == t.get(i);
    }
    if (!same) {
      throw new IllegalArgumentException(
          loss
              + ": predictions "
              + p
              + " and targets "
              + t
              + " must have the same shape;"
              + " reshape one of them (a [batch, 1] output needs labels of shape {1})");
    }
  }

  /**
   * The mean of each example's elements: {@code [batch, ...] -> [batch]} (the identity for a {@code
   * [batch]} input). The axes are computed in the graph, so an unknown rank works too.
   */
  static <T extends TNumber> Operand<T> perExample(Ops tf, Operand<T> elementwise) {
    return tf.math.mean(
        elementwise, tf.range(tf.constant(1), tf.rank(elementwise), tf.constant(1)));
  }

  /** Reduces per-example losses {@code [batch]}. */
  public static <T extends TNumber> Operand<T> reduce(
      Ops tf, Operand<T> perExample, Reduction reduction) {
    Operand<TInt32> batch = tf.constant(0);
    return switch (reduction) {
      case MEAN -> tf.math.mean(perExample, batch);
      case SUM -> tf.sum(perExample, batch);
      case NONE -> perExample;
    };
  }

  private static <T extends TNumber> Operand<T> clip(Ops tf, Operand<T> probabilities) {
    Class<T> type = probabilities.type();
    return tf.clipByValue(
        probabilities,
        tf.dtypes.cast(tf.constant(EPSILON), type),
        tf.dtypes.cast(tf.constant(1 - EPSILON), type));
  }

  private static <T extends TNumber> Operand<T> zero(Ops tf, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(0), like.type());
  }

  private static org.tensorflow.op.core.Sum.Options sumKeepDims() {
    return org.tensorflow.op.core.Sum.keepDims(true);
  }
}
