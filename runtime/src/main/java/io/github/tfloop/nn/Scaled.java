package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/** Variance-scaling initialisers: He and Glorot, normal and uniform. */
final class Scaled implements Initializer {

  static final int FAN_IN = 0;
  static final int FAN_AVERAGE = 1;

  /** Standard deviation of a unit normal truncated at ±2, which truncation shrinks. */
  private static final double TRUNCATED_STDDEV = 0.87962566103423978;

  private final String name;
  private final double scale;
  private final int mode;
  private final boolean normal;

  private Scaled(String name, double scale, int mode, boolean normal) {
    this.name = name;
    this.scale = scale;
    this.mode = mode;
    this.normal = normal;
  }

  static Scaled truncatedNormal(String name, double scale, int mode) {
    return new Scaled(name, scale, mode, true);
  }

  static Scaled uniform(String name, double scale, int mode) {
    return new Scaled(name, scale, mode, false);
  }

  @Override
  public <T extends TNumber> Operand<T> initialValue(
      Ops tf, Shape shape, Class<T> type, long[] seed) {
    double[] fans = Initializer.fans(shape);
    double fan = mode == FAN_IN ? fans[0] : (fans[0] + fans[1]) / 2;
    double variance = scale / Math.max(1, fan);
    if (normal) {
      double stddev = Math.sqrt(variance) / TRUNCATED_STDDEV;
      Operand<T> unit =
          tf.random.statelessTruncatedNormal(
              tf.constant(shape), Initializer.seedOf(tf, seed), type);
      return tf.math.mul(unit, tf.dtypes.cast(tf.constant(stddev), type));
    }
    double limit = Math.sqrt(3 * variance);
    Operand<T> unit =
        tf.random.statelessRandomUniform(tf.constant(shape), Initializer.seedOf(tf, seed), type);
    // uniform in [0, 1) -> [-limit, limit)
    return tf.math.sub(
        tf.math.mul(unit, tf.dtypes.cast(tf.constant(2 * limit), type)),
        tf.dtypes.cast(tf.constant(limit), type));
  }

  @Override
  public String toString() {
    return name + "()";
  }
}
