package io.github.tfloop.gradients;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.OnesLike;
import org.tensorflow.op.core.ZerosLike;
import org.tensorflow.op.nn.SparseSoftmaxCrossEntropyWithLogits;
import org.tensorflow.types.family.TNumber;

/**
 * Registers the gradients tfloop's losses and layers need and TensorFlow Java 1.1.0's native
 * registry lacks. Registration is process-wide and idempotent; generated loops call {@link
 * #register()} before they build any gradient.
 */
public final class MissingGradients {

  private static boolean registered;

  private MissingGradients() {}

  /** Registers every missing gradient once per process. */
  public static synchronized void register() {
    if (registered) {
      return;
    }
    TensorFlow.registerCustomGradient(
        SparseSoftmaxCrossEntropyWithLogits.Inputs.class,
        MissingGradients::sparseSoftmaxCrossEntropy);
    // onesLike(x) and zerosLike(x) build targets such as a GAN's "all real" labels: their value
    // does not depend on x, so x's gradient is zero; TensorFlow Java has no gradient for either.
    TensorFlow.registerCustomGradient(
        OnesLike.Inputs.class, (tf, op, upstream) -> List.of(tf.zerosLike(op.x)));
    TensorFlow.registerCustomGradient(
        ZerosLike.Inputs.class, (tf, op, upstream) -> List.of(tf.zerosLike(op.x)));
    registered = true;
  }

  /**
   * {@code SparseSoftmaxCrossEntropyWithLogits} outputs the loss per example and, as its second
   * output, the loss's gradient with respect to the logits ({@code softmax - onehot}). The gradient
   * with respect to the logits is therefore that backprop scaled by the incoming gradient of each
   * example's loss; the integer labels get zeros (TensorFlow's C API rejects a null gradient).
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Operand<?>> sparseSoftmaxCrossEntropy(
      Ops tf,
      SparseSoftmaxCrossEntropyWithLogits.Inputs op,
      List<org.tensorflow.Output<?>> upstream) {
    SparseSoftmaxCrossEntropyWithLogits<?> forward =
        (SparseSoftmaxCrossEntropyWithLogits<?>) op.getOutputs();
    Operand lossGradient = tf.expandDims(upstream.get(0), tf.constant(-1));
    Operand<? extends TNumber> logitsGradient = tf.math.mul(lossGradient, forward.backprop());
    return List.of(logitsGradient, tf.zerosLike(op.labels));
  }
}
