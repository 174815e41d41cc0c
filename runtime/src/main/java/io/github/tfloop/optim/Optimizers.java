package io.github.tfloop.optim;

import io.github.tfloop.optim.ApplyOptimizer.Algorithm;

/**
 * Factories for the built-in {@link Optimizer}s: the ten of TensorFlow's framework, with the
 * framework's defaults. Every hyper-parameter is checked here, so a bad one fails when the loop is
 * created, naming the optimizer and the parameter.
 */
public final class Optimizers {

  private Optimizers() {}

  /** Plain stochastic gradient descent: {@code w -= lr * g}. */
  public static Optimizer sgd() {
    return new ApplyOptimizer(Algorithm.SGD);
  }

  /** SGD with momentum (0.9 in Keras' examples), optionally Nesterov's. */
  public static Optimizer momentum(double momentum, boolean nesterov) {
    requireInRange("MOMENTUM", "momentum", momentum, 0, 1);
    return new ApplyOptimizer(Algorithm.MOMENTUM, momentum, nesterov ? 1 : 0);
  }

  /**
   * Adam with decay rates {@code beta1}, {@code beta2} (defaults 0.9, 0.999) and epsilon (1e-7).
   */
  public static Optimizer adam(double beta1, double beta2, double epsilon) {
    return adamFamily(Algorithm.ADAM, beta1, beta2, epsilon);
  }

  /** Adamax (defaults 0.9, 0.999, 1e-7). */
  public static Optimizer adamax(double beta1, double beta2, double epsilon) {
    return adamFamily(Algorithm.ADAMAX, beta1, beta2, epsilon);
  }

  /** Nadam: Adam with Nesterov momentum (defaults 0.9, 0.999, 1e-7). */
  public static Optimizer nadam(double beta1, double beta2, double epsilon) {
    return adamFamily(Algorithm.NADAM, beta1, beta2, epsilon);
  }

  private static Optimizer adamFamily(
      Algorithm algorithm, double beta1, double beta2, double epsilon) {
    requireInRange(algorithm.name(), "beta1", beta1, 0, 1);
    requireInRange(algorithm.name(), "beta2", beta2, 0, 1);
    requirePositive(algorithm.name(), "epsilon", epsilon);
    return new ApplyOptimizer(algorithm, beta1, beta2, epsilon);
  }

  /**
   * RMSProp with decay {@code rho} (0.9), {@code momentum} (0), {@code epsilon} (1e-7) and, if
   * {@code centered}, the gradient's variance instead of its second moment.
   */
  public static Optimizer rmsProp(double rho, double momentum, double epsilon, boolean centered) {
    requireInRange("RMSPROP", "rho", rho, 0, 1);
    requireInRange("RMSPROP", "momentum", momentum, 0, 1);
    requirePositive("RMSPROP", "epsilon", epsilon);
    return new ApplyOptimizer(Algorithm.RMSPROP, rho, momentum, epsilon, centered ? 1 : 0);
  }

  /**
   * AdaGrad with accumulators starting at {@code initialAccumulatorValue} (0.1) and {@code epsilon}
   * (1e-7) added to their square root.
   */
  public static Optimizer adaGrad(double initialAccumulatorValue, double epsilon) {
    requirePositive("ADAGRAD", "initialAccumulatorValue", initialAccumulatorValue);
    requirePositive("ADAGRAD", "epsilon", epsilon);
    return new ApplyOptimizer(Algorithm.ADAGRAD, initialAccumulatorValue, epsilon);
  }

  /**
   * AdaGrad dual averaging with {@code initialAccumulatorValue} (0.1) and L1 and L2 regularisation
   * strengths (0 and 0).
   */
  public static Optimizer adaGradDA(
      double initialAccumulatorValue, double l1Strength, double l2Strength) {
    requirePositive("ADAGRAD_DA", "initialAccumulatorValue", initialAccumulatorValue);
    requireNonNegative("ADAGRAD_DA", "l1Strength", l1Strength);
    requireNonNegative("ADAGRAD_DA", "l2Strength", l2Strength);
    return new ApplyOptimizer(
        Algorithm.ADAGRAD_DA, initialAccumulatorValue, l1Strength, l2Strength);
  }

  /** AdaDelta with decay {@code rho} (0.95) and {@code epsilon} (1e-7). */
  public static Optimizer adaDelta(double rho, double epsilon) {
    requireInRange("ADADELTA", "rho", rho, 0, 1);
    requirePositive("ADADELTA", "epsilon", epsilon);
    return new ApplyOptimizer(Algorithm.ADADELTA, rho, epsilon);
  }

  /**
   * FTRL-proximal with {@code learningRatePower} (-0.5), {@code initialAccumulatorValue} (0.1), L1,
   * L2 and L2-shrinkage regularisation strengths (all 0).
   */
  public static Optimizer ftrl(
      double learningRatePower,
      double initialAccumulatorValue,
      double l1Strength,
      double l2Strength,
      double l2ShrinkageStrength) {
    if (!(learningRatePower <= 0)) {
      throw new IllegalArgumentException(
          "FTRL learningRatePower must be zero or negative, got " + learningRatePower);
    }
    requirePositive("FTRL", "initialAccumulatorValue", initialAccumulatorValue);
    requireNonNegative("FTRL", "l1Strength", l1Strength);
    requireNonNegative("FTRL", "l2Strength", l2Strength);
    requireNonNegative("FTRL", "l2ShrinkageStrength", l2ShrinkageStrength);
    return new ApplyOptimizer(
        Algorithm.FTRL,
        learningRatePower,
        initialAccumulatorValue,
        l1Strength,
        l2Strength,
        l2ShrinkageStrength);
  }

  private static void requireInRange(
      String optimizer, String name, double value, double from, double below) {
    if (!(value >= from && value < below)) {
      throw new IllegalArgumentException(
          optimizer + " " + name + " must be in [" + from + ", " + below + "), got " + value);
    }
  }

  /** Throws unless {@code value} is positive and finite, naming {@code owner} and {@code name}. */
  static void requirePositive(String owner, String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          owner + " " + name + " must be positive and finite, got " + value);
    }
  }

  private static void requireNonNegative(String optimizer, String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          optimizer + " " + name + " must be zero or positive, got " + value);
    }
  }
}
