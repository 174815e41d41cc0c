package io.github.tfloop.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/** Norms of gradients, in float32. */
public final class Gradients {

  private Gradients() {}

  /**
   * The sum of the squares of every element of {@code gradient}: twice its {@code L2Loss}, one
   * fused pass over the gradient (a {@code Square} then a {@code Sum} took twice as long; see
   * BENCHMARKS.md).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Operand<TFloat32> squaredNorm(Ops tf, Operand<? extends TNumber> gradient) {
    Operand<? extends TNumber> halfSum = tf.nn.l2Loss((Operand) gradient);
    return tf.math.mul(tf.dtypes.cast(halfSum, TFloat32.class), tf.constant(2f));
  }

  /** The L2 norm of one gradient tensor. */
  public static Operand<TFloat32> norm(Ops tf, Operand<? extends TNumber> gradient) {
    return tf.math.sqrt(squaredNorm(tf, gradient));
  }

  /** The global norm of several gradients: the L2 norm of all their elements together. */
  public static Operand<TFloat32> globalNorm(Ops tf, List<Operand<? extends TNumber>> gradients) {
    List<Operand<TFloat32>> squares = new ArrayList<>();
    for (Operand<? extends TNumber> gradient : gradients) {
      squares.add(squaredNorm(tf, gradient));
    }
    return tf.math.sqrt(tf.math.addN(squares));
  }
}
