package io.github.tfloop.optim;

import io.github.tfloop.internal.VariableStore.Variable;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.family.TNumber;

/** Stochastic gradient descent: {@code w -= lr * g}. */
final class Sgd implements Optimizer {

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public <T extends TNumber> Op apply(
      UpdateContext context, Variable<T> variable, Operand<T> gradient) {
    return context
        .ops()
        .train
        .resourceApplyGradientDescent(
            variable.handle(), context.learningRate(variable.type()), gradient);
  }

  @Override
  public String toString() {
    return "SGD";
  }
}
