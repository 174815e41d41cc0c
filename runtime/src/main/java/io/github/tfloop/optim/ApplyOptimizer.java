package io.github.tfloop.optim;

import io.github.tfloop.graph.VariableStore.Variable;
import io.github.tfloop.nn.Initializer;
import java.util.Arrays;
import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ResourceApplyAdam;
import org.tensorflow.op.train.ResourceApplyFtrl;
import org.tensorflow.op.train.ResourceApplyMomentum;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The built-in optimizers, each one TensorFlow {@code ResourceApply*} operation over its slots.
 * Bias corrections ({@code beta^t}) are computed from the step's iteration count rather than kept
 * in variables, so nothing races and training is deterministic.
 */
final class ApplyOptimizer implements Optimizer {

  /** The algorithms, with the formula each applies (TensorFlow's kernels compute them). */
  enum Algorithm {
    /** {@code w -= lr * g}. */
    SGD,
    /**
     * {@code a = momentum * a + g; w -= lr * a} (Nesterov: {@code w -= lr * (g + momentum * a)}).
     */
    MOMENTUM("momentum", "nesterov"),
    /** Adam (Kingma and Ba, 2015). */
    ADAM("beta1", "beta2", "epsilon"),
    /** Adamax, Adam with the infinity norm. */
    ADAMAX("beta1", "beta2", "epsilon"),
    /**
     * Adam with Nesterov momentum (Dozat, 2016), as TensorFlow's {@code ApplyAdam(use_nesterov)}.
     */
    NADAM("beta1", "beta2", "epsilon"),
    /** RMSProp, plain or centred, with optional momentum. */
    RMSPROP("rho", "momentum", "epsilon", "centered"),
    /** AdaGrad: {@code a += g²; w -= lr * g / (sqrt(a) + epsilon)}. */
    ADAGRAD("initialAccumulatorValue", "epsilon"),
    /** AdaGrad dual averaging, with L1 and L2 regularisation. */
    ADAGRAD_DA("initialAccumulatorValue", "l1Strength", "l2Strength"),
    /** AdaDelta (Zeiler, 2012). */
    ADADELTA("rho", "epsilon"),
    /** Follow the regularised leader (McMahan et al., 2013). */
    FTRL(
        "learningRatePower",
        "initialAccumulatorValue",
        "l1Strength",
        "l2Strength",
        "l2ShrinkageStrength");

    /** The names of the hyper-parameters, in the order the factories pass them. */
    private final String[] names;

    Algorithm(String... names) {
      this.names = names;
    }
  }

  private final Algorithm algorithm;
  private final double[] parameters;

  ApplyOptimizer(Algorithm algorithm, double... parameters) {
    this.algorithm = algorithm;
    this.parameters = parameters;
  }

  @Override
  public String name() {
    return algorithm.name().toLowerCase(Locale.ROOT);
  }

  private double parameter(int index) {
    return parameters[index];
  }

  @Override
  public <T extends TNumber> Op apply(
      UpdateContext context, Variable<T> variable, Operand<T> gradient) {
    Ops tf = context.ops();
    Class<T> type = variable.type();
    Operand<? extends TType> w = variable.handle();
    Operand<T> lr = context.learningRate(type);
    return switch (algorithm) {
      case SGD -> tf.train.resourceApplyGradientDescent(w, lr, gradient);
      case MOMENTUM ->
          tf.train.resourceApplyMomentum(
              w,
              context.slot(variable, "momentum", Initializer.zeros()),
              lr,
              gradient,
              constant(context, 0, type),
              ResourceApplyMomentum.useNesterov(parameter(1) != 0));
      case ADAM, NADAM -> {
        Operand<T> t = context.iteration(type);
        Operand<T> beta1 = constant(context, 0, type);
        Operand<T> beta2 = constant(context, 1, type);
        yield tf.train.resourceApplyAdam(
            w,
            context.slot(variable, "m", Initializer.zeros()),
            context.slot(variable, "v", Initializer.zeros()),
            tf.math.pow(beta1, t),
            tf.math.pow(beta2, t),
            lr,
            beta1,
            beta2,
            constant(context, 2, type),
            gradient,
            ResourceApplyAdam.useNesterov(algorithm == Algorithm.NADAM));
      }
      case ADAMAX -> {
        Operand<T> beta1 = constant(context, 0, type);
        yield tf.train.resourceApplyAdaMax(
            w,
            context.slot(variable, "m", Initializer.zeros()),
            context.slot(variable, "v", Initializer.zeros()),
            tf.math.pow(beta1, context.iteration(type)),
            lr,
            beta1,
            constant(context, 1, type),
            constant(context, 2, type),
            gradient);
      }
      case RMSPROP ->
          parameter(3) != 0
              ? tf.train.resourceApplyCenteredRmsProp(
                  w,
                  context.slot(variable, "mg", Initializer.zeros()),
                  context.slot(variable, "ms", Initializer.zeros()),
                  context.slot(variable, "momentum", Initializer.zeros()),
                  lr,
                  constant(context, 0, type),
                  constant(context, 1, type),
                  constant(context, 2, type),
                  gradient)
              : tf.train.resourceApplyRmsProp(
                  w,
                  context.slot(variable, "ms", Initializer.zeros()),
                  context.slot(variable, "momentum", Initializer.zeros()),
                  lr,
                  constant(context, 0, type),
                  constant(context, 1, type),
                  constant(context, 2, type),
                  gradient);
      case ADAGRAD ->
          tf.train.resourceApplyAdagrad(
              w,
              context.slot(variable, "accumulator", Initializer.constant(parameter(0))),
              lr,
              constant(context, 1, type),
              gradient);
      case ADAGRAD_DA ->
          tf.train.resourceApplyAdagradDa(
              w,
              context.slot(variable, "gradient_accumulator", Initializer.zeros()),
              context.slot(
                  variable, "gradient_squared_accumulator", Initializer.constant(parameter(0))),
              gradient,
              lr,
              constant(context, 1, type),
              constant(context, 2, type),
              context.iterationCount());
      case ADADELTA ->
          tf.train.resourceApplyAdadelta(
              w,
              context.slot(variable, "accumulator", Initializer.zeros()),
              context.slot(variable, "accumulator_update", Initializer.zeros()),
              lr,
              constant(context, 0, type),
              constant(context, 1, type),
              gradient);
      case FTRL ->
          tf.train.resourceApplyFtrl(
              w,
              context.slot(variable, "accumulator", Initializer.constant(parameter(1))),
              context.slot(variable, "linear", Initializer.zeros()),
              gradient,
              lr,
              constant(context, 2, type),
              constant(context, 3, type),
              constant(context, 4, type),
              constant(context, 0, type),
              ResourceApplyFtrl.useLocking(true));
    };
  }

  private <T extends TNumber> Operand<T> constant(UpdateContext context, int index, Class<T> type) {
    return context.constant(parameter(index), type);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(algorithm.name()).append('(');
    String[] names = algorithm.names;
    for (int i = 0; i < names.length; i++) {
      text.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(parameters[i]);
    }
    return text.append(')').toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ApplyOptimizer that
        && algorithm == that.algorithm
        && Arrays.equals(parameters, that.parameters);
  }

  @Override
  public int hashCode() {
    return algorithm.hashCode() * 31 + Arrays.hashCode(parameters);
  }
}
