package io.github.tfloop.optim;

import io.github.tfloop.internal.VariableStore.Variable;
import io.github.tfloop.nn.Initializer;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ResourceApplyAdam;
import org.tensorflow.types.family.TNumber;

/**
 * Adam (Kingma and Ba, 2015) through {@code ResourceApplyAdam}. The bias corrections
 * {@code beta1^t} and {@code beta2^t} are computed from the step's iteration count, not kept in
 * variables that a parallel update could race on, so training is deterministic.
 */
final class Adam implements Optimizer {

  private final double beta1;
  private final double beta2;
  private final double epsilon;

  Adam(double beta1, double beta2, double epsilon) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public <T extends TNumber> Op apply(
      UpdateContext context, Variable<T> variable, Operand<T> gradient) {
    Ops tf = context.ops();
    Class<T> type = variable.type();
    Operand<T> t = context.iteration(type);
    Operand<T> b1 = context.constant(beta1, type);
    Operand<T> b2 = context.constant(beta2, type);
    return tf.train.resourceApplyAdam(
        variable.handle(),
        context.slot(variable, "m", Initializer.zeros()),
        context.slot(variable, "v", Initializer.zeros()),
        tf.math.pow(b1, t),
        tf.math.pow(b2, t),
        context.learningRate(type),
        b1,
        b2,
        context.constant(epsilon, type),
        gradient,
        ResourceApplyAdam.useLocking(true));
  }

  @Override
  public String toString() {
    return "Adam(beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon + ")";
  }
}
