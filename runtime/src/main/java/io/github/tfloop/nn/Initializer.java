package io.github.tfloop.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Computes a variable's initial value in the graph. Random initialisers use TensorFlow's stateless
 * random ops with a seed derived from the loop's seed and the variable's name, so the same model
 * and seed always start from the same weights, whatever else the graph holds.
 *
 * <p>Fans follow Keras: for a {@code [in, out]} kernel, fan-in is {@code in} and fan-out {@code
 * out}; for a {@code [h, w, in, out]} convolution kernel they are multiplied by {@code h * w}.
 */
public interface Initializer {

  /**
   * The initial value of a variable of {@code shape} and {@code type}.
   *
   * @param seed two numbers that decide the random values; the same seed gives the same values
   */
  <T extends TNumber> Operand<T> initialValue(Ops tf, Shape shape, Class<T> type, long[] seed);

  /** All zeros. */
  static Initializer zeros() {
    return constant(0);
  }

  /** All ones. */
  static Initializer ones() {
    return constant(1);
  }

  /** Every value {@code value}. */
  static Initializer constant(double value) {
    return new Initializer() {
      @Override
      public <T extends TNumber> Operand<T> initialValue(
          Ops tf, Shape shape, Class<T> type, long[] seed) {
        return tf.fill(tf.constant(shape), tf.dtypes.cast(tf.constant(value), type));
      }

      @Override
      public String toString() {
        return "constant(" + value + ")";
      }
    };
  }

  /** Normal with standard deviation {@code sqrt(2 / fanIn)}, truncated at two deviations. */
  static Initializer heNormal() {
    return Scaled.truncatedNormal("heNormal", 2.0, Scaled.FAN_IN);
  }

  /** Uniform in {@code ±sqrt(6 / fanIn)}. */
  static Initializer heUniform() {
    return Scaled.uniform("heUniform", 2.0, Scaled.FAN_IN);
  }

  /** Normal with standard deviation {@code sqrt(2 / (fanIn + fanOut))}, truncated. */
  static Initializer glorotNormal() {
    return Scaled.truncatedNormal("glorotNormal", 1.0, Scaled.FAN_AVERAGE);
  }

  /** Uniform in {@code ±sqrt(6 / (fanIn + fanOut))}. */
  static Initializer glorotUniform() {
    return Scaled.uniform("glorotUniform", 1.0, Scaled.FAN_AVERAGE);
  }

  /** Normal with mean 0 and the given standard deviation, truncated at two deviations. */
  static Initializer truncatedNormal(double stddev) {
    return new Initializer() {
      @Override
      public <T extends TNumber> Operand<T> initialValue(
          Ops tf, Shape shape, Class<T> type, long[] seed) {
        Operand<T> unit =
            tf.random.statelessTruncatedNormal(tf.constant(shape), seedOf(tf, seed), type);
        return tf.math.mul(unit, tf.dtypes.cast(tf.constant(stddev), type));
      }

      @Override
      public String toString() {
        return "truncatedNormal(" + stddev + ")";
      }
    };
  }

  /**
   * Uniform in {@code [min, max)}: Keras's {@code RandomUniform}, whose defaults {@code (-0.05,
   * 0.05)} start {@link Layers#embedding embeddings}.
   */
  static Initializer randomUniform(double min, double max) {
    if (!(min < max) || Double.isInfinite(min) || Double.isInfinite(max)) {
      throw new IllegalArgumentException(
          "randomUniform needs finite min < max, got [" + min + ", " + max + ")");
    }
    return new Initializer() {
      @Override
      public <T extends TNumber> Operand<T> initialValue(
          Ops tf, Shape shape, Class<T> type, long[] seed) {
        Operand<T> unit =
            tf.random.statelessRandomUniform(tf.constant(shape), seedOf(tf, seed), type);
        return tf.math.add(
            tf.math.mul(unit, tf.dtypes.cast(tf.constant(max - min), type)),
            tf.dtypes.cast(tf.constant(min), type));
      }

      @Override
      public String toString() {
        return "randomUniform(" + min + ", " + max + ")";
      }
    };
  }

  /**
   * A random orthogonal matrix (Saxe et al., 2014), as Keras's {@code Orthogonal} builds it: the Q
   * of the QR decomposition of a normal matrix, its columns' signs fixed by R's diagonal, so that
   * the values are uniformly distributed over orthogonal matrices. A kernel of rank above 2 is
   * flattened to {@code [product of all but the last dimension, last dimension]} first. Recurrent
   * kernels of {@link Layers#lstm LSTM} and {@link Layers#gru GRU} layers start from it.
   */
  static Initializer orthogonal() {
    return Orthogonal.INSTANCE;
  }

  /** Fan-in and fan-out of a kernel of this shape, as Keras computes them. */
  static double[] fans(Shape shape) {
    int rank = shape.numDimensions();
    if (rank == 0) {
      return new double[] {1, 1};
    }
    if (rank == 1) {
      return new double[] {shape.get(0), shape.get(0)};
    }
    double receptiveField = 1;
    for (int i = 0; i < rank - 2; i++) {
      receptiveField *= shape.get(i);
    }
    return new double[] {
      shape.get(rank - 2) * receptiveField, shape.get(rank - 1) * receptiveField
    };
  }

  /** The seed tensor the stateless random ops take. */
  static Operand<TInt64> seedOf(Ops tf, long[] seed) {
    return tf.constant(seed);
  }
}
