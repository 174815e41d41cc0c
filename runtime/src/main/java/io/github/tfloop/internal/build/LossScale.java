package io.github.tfloop.internal.build;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Dynamic loss scaling of one training step, by the rules of Keras's {@code LossScaleOptimizer}
 * (Keras 3): the loss is multiplied by the scale before the gradients are taken; if every gradient
 * is then finite, they are divided by the scale and applied, and the count of good steps goes up,
 * except that on the {@code growthSteps}-th good step in a row the scale doubles and the count
 * restarts at 0; if any gradient is not finite, the update is skipped, the scale halves and the
 * count restarts at 0. The scale ({@code <step>/loss_scale}, float32) and the count ({@code
 * <step>/loss_scale_good_steps}) are optimizer variables: checkpoints save them.
 *
 * <p>Every use of the scale in a step reads it through the variable's one read, which the update of
 * the scale depends on: the step scales and unscales with the scale it started with.
 */
final class LossScale {

  private final Variable<TFloat32> scale;
  private final Variable<TInt64> goodSteps;
  private final int growthSteps;

  private LossScale(Variable<TFloat32> scale, Variable<TInt64> goodSteps, int growthSteps) {
    this.scale = scale;
    this.goodSteps = goodSteps;
    this.growthSteps = growthSteps;
  }

  /** The loss scale of the step {@code stepName}, starting at {@code initial}. */
  static LossScale create(
      Ops tf, VariableStore store, String stepName, double initial, int growthSteps) {
    Variable<TFloat32> scale =
        store.create(
            stepName + "/loss_scale",
            stepName,
            Kind.OPTIMIZER,
            TFloat32.class,
            Shape.scalar(),
            tf.constant((float) initial));
    Variable<TInt64> goodSteps =
        store.create(
            stepName + "/loss_scale_good_steps",
            stepName,
            Kind.OPTIMIZER,
            TInt64.class,
            Shape.scalar(),
            tf.constant(0L));
    return new LossScale(scale, goodSteps, growthSteps);
  }

  /** The scale this step uses. */
  Operand<TFloat32> value() {
    return scale.read();
  }

  /** {@code loss} times the scale. */
  <T extends TNumber> Operand<T> scale(Ops tf, Operand<T> loss) {
    return tf.withName("scaled_loss").math.mul(loss, tf.dtypes.cast(scale.read(), loss.type()));
  }

  /** Whether every element of every (scaled) gradient is finite. */
  Operand<TBool> allFinite(Ops tf, List<? extends Operand<?>> gradients) {
    Operand<TBool> all = tf.constant(true);
    for (Operand<?> gradient : gradients) {
      all = tf.math.logicalAnd(all, NonFiniteGuard.allFinite(tf, gradient.asOutput()));
    }
    return tf.withName("gradients_finite").identity(all);
  }

  /** Each gradient divided by the scale. */
  List<Operand<? extends TNumber>> unscale(Ops tf, List<Operand<? extends TNumber>> gradients) {
    List<Operand<? extends TNumber>> unscaled = new ArrayList<>();
    for (Operand<? extends TNumber> gradient : gradients) {
      unscaled.add(divide(tf, gradient));
    }
    return unscaled;
  }

  private <T extends TNumber> Operand<T> divide(Ops tf, Operand<T> gradient) {
    return tf.withName("unscaled_gradient")
        .math
        .div(gradient, tf.dtypes.cast(scale.read(), gradient.type()));
  }

  /**
   * Updates the scale and the count of good steps after a step whose gradients were {@code finite}:
   * runs on every step, applied or skipped.
   */
  Op update(Ops tf, Operand<TBool> finite) {
    Operand<TInt64> count = goodSteps.read();
    Operand<TFloat32> current = scale.read();
    // Keras: on a finite step, upscale if step_counter == dynamic_growth_steps - 1, else increment.
    Operand<TBool> grow =
        tf.math.logicalAnd(finite, tf.math.equal(count, tf.constant((long) growthSteps - 1)));
    Operand<TFloat32> newScale =
        tf.select(
            grow,
            tf.math.mul(current, tf.constant(2f)),
            tf.select(finite, current, tf.math.div(current, tf.constant(2f))));
    Operand<TInt64> newCount =
        tf.select(
            tf.math.logicalAnd(finite, tf.math.logicalNot(grow)),
            tf.math.add(count, tf.constant(1L)),
            tf.constant(0L));
    Op assignScale = tf.withName("update_loss_scale").assignVariableOp(scale.handle(), newScale);
    Op assignCount = tf.assignVariableOp(goodSteps.handle(), newCount);
    return tf.withControlDependencies(List.of(assignScale, assignCount))
        .withName("loss_scale_updated")
        .noOp();
  }

  /** {@code gradient}, alive only when {@code finite}: a skipped step's updates never run. */
  Operand<?> gate(Ops tf, Operand<?> gradient, Operand<TBool> finite) {
    SwitchCond<?> gate = tf.withName("apply_if_finite").switchCond(gradient, finite);
    return gate.outputTrue();
  }

  /**
   * The end of the step: {@code applied} (the updates, dead when skipped) merged with the skipping
   * branch, after the scale's {@code update}; alive either way, so that what follows the step runs.
   */
  Op done(Ops tf, Op applied, Op update, Operand<TBool> finite) {
    SwitchCond<TBool> branch = tf.switchCond(finite, finite);
    Operand<TBool> afterUpdate =
        tf.withControlDependencies(List.of(applied)).identity(branch.outputTrue());
    Op merged = tf.withName("applied_or_skipped").merge(List.of(afterUpdate, branch.outputFalse()));
    return tf.withControlDependencies(List.of(merged, update)).withName("step_done").noOp();
  }
}
