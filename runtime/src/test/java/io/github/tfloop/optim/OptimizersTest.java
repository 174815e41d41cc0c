package io.github.tfloop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Each optimizer's updates against its formula computed here, element by element, over three
 * updates with different gradients (so slots and bias corrections are exercised).
 */
class OptimizersTest {

  /** Exactly representable in float32, the learning rate's type, so the formulas can be exact. */
  private static final double LR = 0.125;

  private static final double[] W0 = {1.0, -2.0, 0.5};
  private static final double[][] G = {{0.3, -0.1, 2.0}, {-0.5, 0.4, 0.1}, {0.2, 0.2, -1.0}};

  private static void assertUpdates(Optimizer optimizer, Formula formula) {
    double[][] actual = OptimizerHarness.run(optimizer, LearningRate.constant(LR), W0, G);
    double[][] expected = new double[G.length][];
    double[] w = W0.clone();
    double[][] slots = new double[4][W0.length];
    formula.init(slots);
    for (int t = 0; t < G.length; t++) {
      for (int i = 0; i < w.length; i++) {
        w[i] = formula.update(w[i], G[t][i], t + 1, slots, i);
      }
      expected[t] = w.clone();
    }
    for (int t = 0; t < G.length; t++) {
      assertArrayEquals(expected[t], actual[t], 1e-12, optimizer + " after update " + (t + 1));
    }
  }

  /** One element's update; {@code t} counts from 1; slots hold per-element state. */
  private interface Formula {
    double update(double w, double g, int t, double[][] slots, int i);

    default void init(double[][] slots) {}
  }

  @Test
  void sgd() {
    assertUpdates(Optimizers.sgd(), (w, g, t, s, i) -> w - LR * g);
  }

  @Test
  void momentum() {
    double m = 0.9;
    assertUpdates(
        Optimizers.momentum(m, false),
        (w, g, t, s, i) -> {
          s[0][i] = m * s[0][i] + g;
          return w - LR * s[0][i];
        });
  }

  @Test
  void nesterovMomentum() {
    double m = 0.9;
    assertUpdates(
        Optimizers.momentum(m, true),
        (w, g, t, s, i) -> {
          s[0][i] = m * s[0][i] + g;
          return w - LR * g - LR * m * s[0][i];
        });
  }

  @Test
  void adam() {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    assertUpdates(
        Optimizers.adam(b1, b2, eps),
        (w, g, t, s, i) -> {
          s[0][i] = b1 * s[0][i] + (1 - b1) * g;
          s[1][i] = b2 * s[1][i] + (1 - b2) * g * g;
          double lrT = LR * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
          return w - lrT * s[0][i] / (Math.sqrt(s[1][i]) + eps);
        });
  }

  @Test
  void nadam() {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    assertUpdates(
        Optimizers.nadam(b1, b2, eps),
        (w, g, t, s, i) -> {
          s[0][i] = b1 * s[0][i] + (1 - b1) * g;
          s[1][i] = b2 * s[1][i] + (1 - b2) * g * g;
          double lrT = LR * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
          return w - lrT * (b1 * s[0][i] + (1 - b1) * g) / (Math.sqrt(s[1][i]) + eps);
        });
  }

  @Test
  void adamax() {
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    assertUpdates(
        Optimizers.adamax(b1, b2, eps),
        (w, g, t, s, i) -> {
          s[0][i] = b1 * s[0][i] + (1 - b1) * g;
          s[1][i] = Math.max(b2 * s[1][i], Math.abs(g));
          return w - LR / (1 - Math.pow(b1, t)) * s[0][i] / (s[1][i] + eps);
        });
  }

  @Test
  void rmsProp() {
    double rho = 0.9;
    double momentum = 0.5;
    double eps = 1e-10;
    assertUpdates(
        Optimizers.rmsProp(rho, momentum, eps, false),
        (w, g, t, s, i) -> {
          s[0][i] = rho * s[0][i] + (1 - rho) * g * g;
          s[1][i] = momentum * s[1][i] + LR * g / Math.sqrt(s[0][i] + eps);
          return w - s[1][i];
        });
  }

  @Test
  void centeredRmsProp() {
    double rho = 0.9;
    double momentum = 0.0;
    double eps = 1e-10;
    assertUpdates(
        Optimizers.rmsProp(rho, momentum, eps, true),
        (w, g, t, s, i) -> {
          s[0][i] = rho * s[0][i] + (1 - rho) * g;
          s[1][i] = rho * s[1][i] + (1 - rho) * g * g;
          s[2][i] = momentum * s[2][i] + LR * g / Math.sqrt(s[1][i] - s[0][i] * s[0][i] + eps);
          return w - s[2][i];
        });
  }

  @Test
  void adaGrad() {
    double initial = 0.1;
    double eps = 1e-7;
    assertUpdates(
        Optimizers.adaGrad(initial, eps),
        new Formula() {
          @Override
          public void init(double[][] s) {
            java.util.Arrays.fill(s[0], initial);
          }

          @Override
          public double update(double w, double g, int t, double[][] s, int i) {
            s[0][i] += g * g;
            return w - LR * g / (Math.sqrt(s[0][i]) + eps);
          }
        });
  }

  @Test
  void adaGradDualAveraging() {
    double initial = 0.1;
    double l1 = 0.01;
    double l2 = 0.02;
    assertUpdates(
        Optimizers.adaGradDA(initial, l1, l2),
        new Formula() {
          @Override
          public void init(double[][] s) {
            java.util.Arrays.fill(s[1], initial);
          }

          @Override
          public double update(double w, double g, int t, double[][] s, int i) {
            s[0][i] += g;
            s[1][i] += g * g;
            double step = t - 1; // updates made before this one, as TensorFlow's global_step
            double shrunk = Math.max(Math.abs(s[0][i]) - l1 * step, 0);
            return Math.signum(-s[0][i]) * shrunk * LR / (l2 * step * LR + Math.sqrt(s[1][i]));
          }
        });
  }

  @Test
  void adaDelta() {
    double rho = 0.95;
    double eps = 1e-7;
    assertUpdates(
        Optimizers.adaDelta(rho, eps),
        (w, g, t, s, i) -> {
          s[0][i] = rho * s[0][i] + (1 - rho) * g * g;
          double update = Math.sqrt(s[1][i] + eps) / Math.sqrt(s[0][i] + eps) * g;
          s[1][i] = rho * s[1][i] + (1 - rho) * update * update;
          return w - LR * update;
        });
  }

  @Test
  void ftrl() {
    double power = -0.5;
    double initial = 0.1;
    double l1 = 0.01;
    double l2 = 0.02;
    double shrinkage = 0.03;
    assertUpdates(
        Optimizers.ftrl(power, initial, l1, l2, shrinkage),
        new Formula() {
          @Override
          public void init(double[][] s) {
            java.util.Arrays.fill(s[0], initial);
          }

          @Override
          public double update(double w, double g, int t, double[][] s, int i) {
            double accumulator = s[0][i];
            double newAccumulator = accumulator + g * g;
            double shrunkGradient = g + 2 * shrinkage * w;
            s[1][i] +=
                shrunkGradient
                    - (Math.pow(newAccumulator, -power) - Math.pow(accumulator, -power)) / LR * w;
            s[0][i] = newAccumulator;
            double linear = s[1][i];
            double quadratic = Math.pow(newAccumulator, -power) / LR + 2 * l2;
            return Math.abs(linear) > l1 ? (Math.signum(linear) * l1 - linear) / quadratic : 0;
          }
        });
  }

  @Test
  void adamIsDeterministic() {
    Optimizer adam = Optimizers.adam(0.9, 0.999, 1e-7);
    double[][] first = OptimizerHarness.run(adam, LearningRate.constant(LR), W0, G);
    double[][] second = OptimizerHarness.run(adam, LearningRate.constant(LR), W0, G);
    for (int t = 0; t < G.length; t++) {
      assertArrayEquals(first[t], second[t], 0.0);
    }
  }

  @Test
  void badHyperParametersAreNamed() {
    IllegalArgumentException beta =
        assertThrows(IllegalArgumentException.class, () -> Optimizers.adam(1.0, 0.999, 1e-7));
    assertEquals("ADAM beta1 must be in [0.0, 1.0), got 1.0", beta.getMessage());
    IllegalArgumentException epsilon =
        assertThrows(IllegalArgumentException.class, () -> Optimizers.rmsProp(0.9, 0, -1, false));
    assertEquals("RMSPROP epsilon must be positive and finite, got -1.0", epsilon.getMessage());
  }
}
