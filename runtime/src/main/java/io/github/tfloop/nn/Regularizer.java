package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * A penalty on a weight, added to the loss of every step that trains it (Keras's kernel
 * regularisers). Set one for a model's kernels with {@link Layers#kernelRegularizer}, or put one on
 * a chosen weight with {@link Layers#regularize}.
 */
public interface Regularizer {

  /** The penalty of {@code weight}, a float32 scalar. */
  Operand<TFloat32> penalty(Ops tf, Operand<? extends TNumber> weight);

  /** {@code strength * sum(|w|)}. */
  static Regularizer l1(double strength) {
    return l1l2(strength, 0);
  }

  /** {@code strength * sum(w²)}. */
  static Regularizer l2(double strength) {
    return l1l2(0, strength);
  }

  /** {@code l1 * sum(|w|) + l2 * sum(w²)}. */
  static Regularizer l1l2(double l1, double l2) {
    if (!(l1 >= 0) || !(l2 >= 0) || Double.isInfinite(l1) || Double.isInfinite(l2)) {
      throw new IllegalArgumentException(
          "regularisation strengths must be finite and >= 0, got l1=" + l1 + ", l2=" + l2);
    }
    return new Regularizer() {
      @Override
      public Operand<TFloat32> penalty(Ops tf, Operand<? extends TNumber> weight) {
        Operand<TFloat32> w = tf.dtypes.cast(weight, TFloat32.class);
        Operand<TInt32> axes = tf.range(tf.constant(0), tf.rank(w), tf.constant(1));
        // Only the terms of non-zero strength run at every step; l1l2(0, 0) keeps its (zero) L1
        // term, so that the penalty is still a function of the weight.
        Operand<TFloat32> penalty = null;
        if (l1 != 0 || l2 == 0) {
          penalty = tf.math.mul(tf.constant((float) l1), tf.sum(tf.math.abs(w), axes));
        }
        if (l2 != 0) {
          Operand<TFloat32> l2Term =
              tf.math.mul(tf.constant((float) l2), tf.sum(tf.math.square(w), axes));
          penalty = penalty == null ? l2Term : tf.math.add(penalty, l2Term);
        }
        return penalty;
      }

      @Override
      public String toString() {
        return "l1l2(" + l1 + ", " + l2 + ")";
      }
    };
  }
}
