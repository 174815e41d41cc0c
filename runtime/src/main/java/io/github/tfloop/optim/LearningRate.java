package io.github.tfloop.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A learning rate computed in the graph from the number of updates its step has made, so that a
 * schedule changes the rate without rebuilding anything.
 */
public interface LearningRate {

  /** The rate of the next update, after {@code iterations} updates. */
  Operand<TFloat32> value(Ops tf, Operand<TInt64> iterations);

  /** The same rate for every update. */
  static LearningRate constant(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("the learning rate must be positive, got " + rate);
    }
    return new LearningRate() {
      @Override
      public Operand<TFloat32> value(Ops tf, Operand<TInt64> iterations) {
        return tf.constant((float) rate);
      }

      @Override
      public String toString() {
        return "constant(" + rate + ")";
      }
    };
  }
}
