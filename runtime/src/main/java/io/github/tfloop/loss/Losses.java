package io.github.tfloop.loss;

import io.github.tfloop.gradients.MissingGradients;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Losses for {@code @Loss} methods. Each returns the mean over the batch.
 *
 * <pre>{@code
 * @Loss
 * Operand<TFloat32> loss(Ops tf, Operand<TFloat32> logits, @Label Operand<TInt32> label) {
 *   return Losses.sparseCategoricalCrossentropy(tf, logits, label);
 * }
 * }</pre>
 */
public final class Losses {

  private Losses() {}

  /**
   * Cross-entropy between integer class labels {@code [batch]} and unnormalised logits {@code
   * [batch, classes]}, averaged over the batch.
   */
  public static <T extends TNumber> Operand<T> sparseCategoricalCrossentropy(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels) {
    MissingGradients.register();
    Operand<T> perExample = tf.nn.sparseSoftmaxCrossEntropyWithLogits(logits, labels).loss();
    return tf.math.mean(perExample, tf.constant(0));
  }

  /** Mean squared error between predictions and targets of the same shape. */
  public static <T extends TNumber> Operand<T> meanSquaredError(
      Ops tf, Operand<T> predictions, Operand<T> targets) {
    Operand<T> squared = tf.math.squaredDifference(predictions, targets);
    return tf.math.mean(squared, tf.range(tf.constant(0), tf.rank(squared), tf.constant(1)));
  }
}
