package io.github.tfloop.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/** How a step clips its gradients before the optimizer applies them. One mode per step. */
public final class Clipping {

  private enum Mode {
    NONE,
    BY_VALUE,
    BY_NORM,
    BY_GLOBAL_NORM
  }

  private static final Clipping NONE = new Clipping(Mode.NONE, 0);

  private final Mode mode;
  private final double limit;

  private Clipping(Mode mode, double limit) {
    if (mode != Mode.NONE && (!(limit > 0) || Double.isInfinite(limit))) {
      throw new IllegalArgumentException(
          "clipping " + name(mode) + " needs a positive finite limit, got " + limit);
    }
    this.mode = mode;
    this.limit = limit;
  }

  /** Gradients as they are. */
  public static Clipping none() {
    return NONE;
  }

  /** Every element into {@code [-limit, limit]}. */
  public static Clipping byValue(double limit) {
    return new Clipping(Mode.BY_VALUE, limit);
  }

  /** Each gradient tensor scaled down to an L2 norm of at most {@code maxNorm}. */
  public static Clipping byNorm(double maxNorm) {
    return new Clipping(Mode.BY_NORM, maxNorm);
  }

  /**
   * All gradients scaled together so that their global norm, {@code sqrt(sum of squares of every
   * element)}, is at most {@code maxNorm}: {@code g * maxNorm / max(globalNorm, maxNorm)}.
   */
  public static Clipping byGlobalNorm(double maxNorm) {
    return new Clipping(Mode.BY_GLOBAL_NORM, maxNorm);
  }

  /** Whether {@link #clip} needs the global norm of the gradients (else it may be null). */
  public boolean needsGlobalNorm() {
    return mode == Mode.BY_GLOBAL_NORM;
  }

  /**
   * The clipped gradients.
   *
   * @param globalNorm the global norm of {@code gradients}, already computed; null unless {@link
   *     #needsGlobalNorm()}
   */
  public List<Operand<? extends TNumber>> clip(
      Ops tf, List<Operand<? extends TNumber>> gradients, Operand<TFloat32> globalNorm) {
    if (mode == Mode.NONE) {
      return gradients;
    }
    Operand<TFloat32> globalFactor = needsGlobalNorm() ? factor(tf, globalNorm) : null;
    List<Operand<? extends TNumber>> clipped = new ArrayList<>();
    for (Operand<? extends TNumber> gradient : gradients) {
      clipped.add(
          switch (mode) {
            case BY_VALUE -> clipValue(tf, gradient);
            case BY_NORM -> scale(tf, gradient, factor(tf, Gradients.norm(tf, gradient)));
            default -> scale(tf, gradient, globalFactor);
          });
    }
    return clipped;
  }

  /** {@code limit / max(norm, limit)}: 1 for a norm within the limit, less above it. */
  private Operand<TFloat32> factor(Ops tf, Operand<TFloat32> norm) {
    Operand<TFloat32> bound = tf.constant((float) limit);
    return tf.math.div(bound, tf.math.maximum(norm, bound));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Operand<? extends TNumber> clipValue(Ops tf, Operand gradient) {
    Operand high = tf.dtypes.cast(tf.constant(limit), gradient.type());
    Operand low = tf.dtypes.cast(tf.constant(-limit), gradient.type());
    return tf.clipByValue(gradient, low, high);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<? extends TNumber> scale(
      Ops tf, Operand gradient, Operand<TFloat32> factor) {
    return tf.math.mul(gradient, tf.dtypes.cast(factor, gradient.type()));
  }

  private static String name(Mode mode) {
    String[] words = mode.name().toLowerCase(Locale.ROOT).split("_");
    StringBuilder name = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return name.toString();
  }

  @Override
  public String toString() {
    return mode == Mode.NONE ? "none" : name(mode) + "(" + limit + ")";
  }
}
