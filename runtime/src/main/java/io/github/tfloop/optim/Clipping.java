package io.github.tfloop.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * How a step clips its gradients before the optimizer applies them. One mode per step.
 */
public abstract class Clipping {

  private Clipping() {}

  /** Gradients as they are. */
  public static Clipping none() {
    return None.INSTANCE;
  }

  /** Every element into {@code [-limit, limit]}. */
  public static Clipping byValue(double limit) {
    requirePositive("byValue", limit);
    return new ByValue(limit);
  }

  /** Each gradient tensor scaled down to an L2 norm of at most {@code maxNorm}. */
  public static Clipping byNorm(double maxNorm) {
    requirePositive("byNorm", maxNorm);
    return new ByNorm(maxNorm);
  }

  /**
   * All gradients scaled together so that their global norm, {@code sqrt(sum of squares of every
   * element)}, is at most {@code maxNorm}: {@code g * maxNorm / max(globalNorm, maxNorm)}.
   */
  public static Clipping byGlobalNorm(double maxNorm) {
    requirePositive("byGlobalNorm", maxNorm);
    return new ByGlobalNorm(maxNorm);
  }

  /** Whether {@link #clip} needs the global norm of the gradients (else it may be null). */
  public boolean needsGlobalNorm() {
    return this instanceof ByGlobalNorm;
  }

  /**
   * The clipped gradients.
   *
   * @param globalNorm the global norm of {@code gradients}, already computed; null unless {@link
   *     #needsGlobalNorm()}
   */
  public abstract List<Operand<? extends TNumber>> clip(
      Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm);

  private static void requirePositive(String mode, double limit) {
    if (!(limit > 0) || Double.isInfinite(limit)) {
      throw new IllegalArgumentException(
          "clipping " + mode + " needs a positive finite limit, got " + limit);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<? extends TNumber> scale(
      Ops tf, Operand<? extends TNumber> gradient, Operand<TFloat32> factor) {
    Operand typed = gradient;
    return tf.math.mul(typed, tf.dtypes.cast(factor, typed.type()));
  }

  private static final class None extends Clipping {
    static final None INSTANCE = new None();

    @Override
    public List<Operand<? extends TNumber>> clip(
        Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm) {
      return gradients;
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  private static final class ByValue extends Clipping {
    private final double limit;

    ByValue(double limit) {
      this.limit = limit;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<Operand<? extends TNumber>> clip(
        Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm) {
      List<Operand<? extends TNumber>> clipped = new ArrayList<>();
      for (Operand gradient : gradients) {
        Operand high = tf.dtypes.cast(tf.constant(limit), gradient.type());
        Operand low = tf.dtypes.cast(tf.constant(-limit), gradient.type());
        clipped.add(tf.clipByValue(gradient, low, high));
      }
      return clipped;
    }

    @Override
    public String toString() {
      return "byValue(" + limit + ")";
    }
  }

  private static final class ByNorm extends Clipping {
    private final double maxNorm;

    ByNorm(double maxNorm) {
      this.maxNorm = maxNorm;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<Operand<? extends TNumber>> clip(
        Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm) {
      List<Operand<? extends TNumber>> clipped = new ArrayList<>();
      for (Operand gradient : gradients) {
        Operand<TFloat32> norm = Gradients.norm(tf, gradient);
        Operand<TFloat32> factor =
            tf.math.div(tf.constant((float) maxNorm),
                tf.math.maximum(norm, tf.constant((float) maxNorm)));
        clipped.add(scale(tf, gradient, factor));
      }
      return clipped;
    }

    @Override
    public String toString() {
      return "byNorm(" + maxNorm + ")";
    }
  }

  private static final class ByGlobalNorm extends Clipping {
    private final double maxNorm;

    ByGlobalNorm(double maxNorm) {
      this.maxNorm = maxNorm;
    }

    @Override
    public List<Operand<? extends TNumber>> clip(
        Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm) {
      Operand<TFloat32> factor =
          tf.math.div(tf.constant((float) maxNorm),
              tf.math.maximum(globalNorm, tf.constant((float) maxNorm)));
      List<Operand<? extends TNumber>> clipped = new ArrayList<>();
      for (Operand<? extends TNumber> gradient : gradients) {
        clipped.add(scale(tf, gradient, factor));
      }
      return clipped;
    }

    @Override
    public String toString() {
      return "byGlobalNorm(" + maxNorm + ")";
    }
  }
}
