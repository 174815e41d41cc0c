package io.github.tfloop.annotations;

/**
 * The optimization algorithms a {@link Step} can use: the ten of TensorFlow's framework.
 * Hyper-parameters are set with {@link Step#params()} as {@code "name=value"}; each has the default
 * shown. Bias corrections are computed from the step's own count of updates, so training is
 * deterministic.
 */
public enum Optimizer {
  /** Plain stochastic gradient descent: {@code w -= lr * g}. No parameters. */
  SGD,
  /**
   * SGD with momentum: {@code a = momentum * a + g; w -= lr * a}. Parameters: {@code momentum=0.9},
   * {@code nesterov=false}.
   */
  MOMENTUM,
  /**
   * Adam (Kingma and Ba, 2015). Parameters: {@code beta1=0.9}, {@code beta2=0.999}, {@code
   * epsilon=1e-7}.
   */
  ADAM,
  /**
   * Adamax, Adam with the infinity norm. Parameters: {@code beta1=0.9}, {@code beta2=0.999}, {@code
   * epsilon=1e-7}.
   */
  ADAMAX,
  /**
   * Adam with Nesterov momentum (Dozat, 2016). Parameters: {@code beta1=0.9}, {@code beta2=0.999},
   * {@code epsilon=1e-7}.
   */
  NADAM,
  /**
   * RMSProp. Parameters: {@code rho=0.9}, {@code momentum=0}, {@code epsilon=1e-7}, {@code
   * centered=false}.
   */
  RMSPROP,
  /** AdaGrad. Parameters: {@code initialAccumulatorValue=0.1}, {@code epsilon=1e-7}. */
  ADAGRAD,
  /**
   * AdaGrad dual averaging. Parameters: {@code initialAccumulatorValue=0.1}, {@code l1Strength=0},
   * {@code l2Strength=0}.
   */
  ADAGRAD_DA,
  /** AdaDelta (Zeiler, 2012). Parameters: {@code rho=0.95}, {@code epsilon=1e-7}. */
  ADADELTA,
  /**
   * FTRL-proximal (McMahan et al., 2013). Parameters: {@code learningRatePower=-0.5}, {@code
   * initialAccumulatorValue=0.1}, {@code l1Strength=0}, {@code l2Strength=0}, {@code
   * l2ShrinkageStrength=0}.
   */
  FTRL
}
