package io.github.tfloop.optim;

/** Factories for the built-in {@link Optimizer}s. */
public final class Optimizers {

  private Optimizers() {}

  /** Plain stochastic gradient descent. */
  public static Optimizer sgd() {
    return new Sgd();
  }

  /** Adam with the given decay rates and epsilon (Keras defaults: 0.9, 0.999, 1e-7). */
  public static Optimizer adam(double beta1, double beta2, double epsilon) {
    requireInRange("beta1", beta1);
    requireInRange("beta2", beta2);
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("Adam epsilon must be positive, got " + epsilon);
    }
    return new Adam(beta1, beta2, epsilon);
  }

  private static void requireInRange(String name, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException("Adam " + name + " must be in [0, 1), got " + value);
    }
  }
}
