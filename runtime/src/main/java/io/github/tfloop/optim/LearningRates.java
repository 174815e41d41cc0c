package io.github.tfloop.optim;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * Learning-rate schedules, computed in the graph (in float64, then rounded to float32) from the
 * number of updates the step has made, {@code t}. The formulas are Keras's.
 */
public final class LearningRates {

  private LearningRates() {}

  /** The same rate for every update. */
  public static LearningRate constant(double rate) {
    return LearningRate.constant(rate);
  }

  /**
   * {@code initial * decayRate^(t / decaySteps)}; with {@code staircase}, the exponent is rounded
   * down, so the rate drops every {@code decaySteps} updates.
   */
  public static LearningRate exponentialDecay(
      double initial, long decaySteps, double decayRate, boolean staircase) {
    requirePositive("initial", initial);
    requirePositive("decaySteps", decaySteps);
    requirePositive("decayRate", decayRate);
    return schedule(
        "exponentialDecay("
            + initial
            + ", "
            + decaySteps
            + ", "
            + decayRate
            + ", "
            + staircase
            + ")",
        (tf, t) -> {
          Operand<TFloat64> exponent = tf.math.div(t, tf.constant((double) decaySteps));
          if (staircase) {
            exponent = tf.math.floor(exponent);
          }
          return tf.math.mul(tf.constant(initial), tf.math.pow(tf.constant(decayRate), exponent));
        });
  }

  /**
   * {@code values[0]} while {@code t <= boundaries[0]}, {@code values[1]} while {@code t <=
   * boundaries[1]}, ..., and the last value after the last boundary.
   *
   * @param boundaries increasing update counts
   * @param values one more than there are boundaries
   */
  public static LearningRate piecewiseConstant(long[] boundaries, double[] values) {
    if (values.length != boundaries.length + 1) {
      throw new IllegalArgumentException(
          "piecewiseConstant needs one value more than boundaries: "
              + boundaries.length
              + " boundaries, "
              + values.length
              + " values");
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (boundaries[i] <= boundaries[i - 1]) {
        throw new IllegalArgumentException(
            "piecewiseConstant boundaries must increase, got " + Arrays.toString(boundaries));
      }
    }
    for (double value : values) {
      requirePositive("value", value);
    }
    long[] bounds = boundaries.clone();
    double[] rates = values.clone();
    return schedule(
        "piecewiseConstant(" + Arrays.toString(bounds) + ", " + Arrays.toString(rates) + ")",
        (tf, t) -> {
          Operand<TFloat64> rate = tf.constant(rates[rates.length - 1]);
          for (int i = bounds.length - 1; i >= 0; i--) {
            rate =
                tf.select(
                    tf.math.lessEqual(t, tf.constant((double) bounds[i])),
                    tf.constant(rates[i]),
                    rate);
          }
          return rate;
        });
  }

  /**
   * {@code (initial - end) * (1 - min(t, decaySteps) / decaySteps)^power + end}: from {@code
   * initial} to {@code end} over {@code decaySteps} updates, then {@code end}.
   */
  public static LearningRate polynomialDecay(
      double initial, long decaySteps, double end, double power) {
    requirePositive("initial", initial);
    requirePositive("decaySteps", decaySteps);
    requirePositive("power", power);
    if (!(end >= 0)) {
      throw new IllegalArgumentException("polynomialDecay end must be >= 0, got " + end);
    }
    return schedule(
        "polynomialDecay(" + initial + ", " + decaySteps + ", " + end + ", " + power + ")",
        (tf, t) -> {
          Operand<TFloat64> progress =
              tf.math.div(
                  tf.math.minimum(t, tf.constant((double) decaySteps)),
                  tf.constant((double) decaySteps));
          Operand<TFloat64> remaining =
              tf.math.pow(tf.math.sub(tf.constant(1.0), progress), tf.constant(power));
          return tf.math.add(tf.math.mul(tf.constant(initial - end), remaining), tf.constant(end));
        });
  }

  /**
   * Linear warm-up from 0 to {@code initial} over {@code warmupSteps} updates, then cosine decay to
   * {@code alpha * initial} over {@code decaySteps} updates, then {@code alpha * initial}: {@code
   * initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t - warmup, decay) / decay)) + alpha)}.
   */
  public static LearningRate cosineDecay(
      double initial, long decaySteps, double alpha, long warmupSteps) {
    requirePositive("initial", initial);
    requirePositive("decaySteps", decaySteps);
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("cosineDecay alpha must be in [0, 1], got " + alpha);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException(
          "cosineDecay warmupSteps must be >= 0, got " + warmupSteps);
    }
    return schedule(
        "cosineDecay(" + initial + ", " + decaySteps + ", " + alpha + ", " + warmupSteps + ")",
        (tf, t) -> {
          Operand<TFloat64> sinceWarmup =
              tf.math.minimum(
                  tf.math.maximum(
                      tf.math.sub(t, tf.constant((double) warmupSteps)), tf.constant(0.0)),
                  tf.constant((double) decaySteps));
          Operand<TFloat64> cosine =
              tf.math.mul(
                  tf.constant(0.5),
                  tf.math.add(
                      tf.constant(1.0),
                      tf.math.cos(
                          tf.math.mul(
                              tf.constant(Math.PI),
                              tf.math.div(sinceWarmup, tf.constant((double) decaySteps))))));
          Operand<TFloat64> decayed =
              tf.math.mul(
                  tf.constant(initial),
                  tf.math.add(tf.math.mul(tf.constant(1 - alpha), cosine), tf.constant(alpha)));
          if (warmupSteps == 0) {
            return decayed;
          }
          Operand<TFloat64> warmup =
              tf.math.mul(tf.constant(initial), tf.math.div(t, tf.constant((double) warmupSteps)));
          return tf.select(tf.math.less(t, tf.constant((double) warmupSteps)), warmup, decayed);
        });
  }

  /** A schedule from its float64 formula of {@code t}. */
  private interface Formula {
    Operand<TFloat64> rate(Ops tf, Operand<TFloat64> t);
  }

  private static LearningRate schedule(String description, Formula formula) {
    return new LearningRate() {
      @Override
      public Operand<TFloat32> value(Ops tf, Operand<TInt64> iterations) {
        Operand<TFloat64> t = tf.dtypes.cast(iterations, TFloat64.class);
        return tf.dtypes.cast(formula.rate(tf, t), TFloat32.class);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }

  private static void requirePositive(String name, double value) {
    Optimizers.requirePositive("learning-rate schedule", name, value);
  }
}
