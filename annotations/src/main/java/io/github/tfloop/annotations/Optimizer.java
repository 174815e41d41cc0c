package io.github.tfloop.annotations;

/** The optimization algorithms a {@link Step} can use. */
public enum Optimizer {
  /** Plain stochastic gradient descent: {@code w -= lr * g}. */
  SGD,
  /** Adam (Kingma and Ba, 2015) with beta1 0.9, beta2 0.999 and epsilon 1e-7. */
  ADAM
}
