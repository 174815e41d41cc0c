package io.github.tfloop.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * Each loss's value against the same loss computed here, and its gradient (TensorFlow's, with the
 * registered ones) against central differences.
 */
class LossesTest {

  private static final double[][] PREDICTIONS = {{0.8, -1.5, 2.2}, {-0.3, 0.1, 0.4}};
  private static final double[][] TARGETS = {{1.0, 0.0, 0.0}, {0.0, 0.0, 1.0}};
  private static final double[][] PROBABILITIES = {{0.7, 0.2, 0.1}, {0.05, 0.15, 0.8}};

  /** A loss of predictions and targets, built in a graph. */
  private interface LossGraph {
    Operand<TFloat64> build(Ops tf, Operand<TFloat64> predictions, Operand<TFloat64> targets);
  }

  private static void assertLoss(
      LossGraph loss, double[][] predictions, double[][] targets, double expected) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat64> p = tf.placeholder(TFloat64.class);
      Operand<TFloat64> value = loss.build(tf, p, tf.constant(targets));
      Output<?> gradient = tf.gradients(value, List.of(p)).dy(0);
      double actual = evaluate(session, p, value, predictions);
      assertEquals(expected, actual, 1e-9, "loss value");
      double[][] symbolic = new double[predictions.length][predictions[0].length];
      try (TFloat64 input = TFloat64.tensorOf(StdArrays.ndCopyOf(predictions));
          Result result = session.runner().feed(p, input).fetch(gradient).run()) {
        StdArrays.copyFrom((TFloat64) result.get(0), symbolic);
      }
      double h = 1e-6;
      for (int i = 0; i < predictions.length; i++) {
        for (int j = 0; j < predictions[i].length; j++) {
          double[][] plus = copy(predictions);
          double[][] minus = copy(predictions);
          plus[i][j] += h;
          minus[i][j] -= h;
          double numeric =
              (evaluate(session, p, value, plus) - evaluate(session, p, value, minus)) / (2 * h);
          assertEquals(numeric, symbolic[i][j], 1e-6, "gradient [" + i + "][" + j + "]");
        }
      }
    }
  }

  private static double evaluate(
      Session session, Placeholder<TFloat64> p, Operand<TFloat64> value, double[][] predictions) {
    try (TFloat64 input = TFloat64.tensorOf(StdArrays.ndCopyOf(predictions));
        Result result = session.runner().feed(p, input).fetch(value).run()) {
      return ((TFloat64) result.get(0)).getDouble();
    }
  }

  private static double[][] copy(double[][] values) {
    double[][] copy = new double[values.length][];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i].clone();
    }
    return copy;
  }

  /** The mean over the batch of {@code perElement} averaged over each example's elements. */
  private static double meanOfMeans(
      double[][] p, double[][] t, BiFunction<Double, Double, Double> perElement) {
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      double sum = 0;
      for (int j = 0; j < p[i].length; j++) {
        sum += perElement.apply(p[i][j], t[i][j]);
      }
      total += sum / p[i].length;
    }
    return total / p.length;
  }

  @Test
  void meanSquaredError() {
    assertLoss(
        (tf, p, t) -> Losses.meanSquaredError(tf, p, t),
        PREDICTIONS,
        TARGETS,
        meanOfMeans(PREDICTIONS, TARGETS, (p, t) -> (p - t) * (p - t)));
  }

  @Test
  void meanAbsoluteError() {
    assertLoss(
        (tf, p, t) -> Losses.meanAbsoluteError(tf, p, t, Reduction.MEAN),
        PREDICTIONS,
        TARGETS,
        meanOfMeans(PREDICTIONS, TARGETS, (p, t) -> Math.abs(p - t)));
  }

  @Test
  void huber() {
    double delta = 1.0;
    assertLoss(
        (tf, p, t) -> Losses.huber(tf, p, t, delta, Reduction.MEAN),
        PREDICTIONS,
        TARGETS,
        meanOfMeans(
            PREDICTIONS,
            TARGETS,
            (p, t) -> {
              double e = Math.abs(p - t);
              return e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
            }));
  }

  @Test
  void binaryCrossentropyFromLogits() {
    assertLoss(
        (tf, p, t) -> Losses.binaryCrossentropy(tf, p, t, true, Reduction.MEAN),
        PREDICTIONS,
        TARGETS,
        meanOfMeans(
            PREDICTIONS,
            TARGETS,
            (x, y) -> {
              double probability = 1 / (1 + Math.exp(-x));
              return -(y * Math.log(probability) + (1 - y) * Math.log(1 - probability));
            }));
  }

  @Test
  void binaryCrossentropyFromProbabilities() {
    assertLoss(
        (tf, p, t) -> Losses.binaryCrossentropy(tf, p, t, false, Reduction.MEAN),
        PROBABILITIES,
        TARGETS,
        meanOfMeans(
            PROBABILITIES, TARGETS, (p, y) -> -(y * Math.log(p) + (1 - y) * Math.log(1 - p))));
  }

  @Test
  void categoricalCrossentropyFromLogits() {
    double expected = 0;
    for (int i = 0; i < PREDICTIONS.length; i++) {
      double sum = 0;
      for (double logit : PREDICTIONS[i]) {
        sum += Math.exp(logit);
      }
      for (int j = 0; j < 3; j++) {
        expected -= TARGETS[i][j] * Math.log(Math.exp(PREDICTIONS[i][j]) / sum);
      }
    }
    assertLoss(
        (tf, p, t) -> Losses.categoricalCrossentropy(tf, p, t, true, Reduction.MEAN),
        PREDICTIONS,
        TARGETS,
        expected / 2);
  }

  @Test
  void categoricalCrossentropyFromProbabilities() {
    double expected = -(Math.log(0.7) + Math.log(0.8)) / 2;
    assertLoss(
        (tf, p, t) -> Losses.categoricalCrossentropy(tf, p, t, false, Reduction.MEAN),
        PROBABILITIES,
        TARGETS,
        expected);
  }

  @Test
  void sparseCategoricalCrossentropyFromProbabilities() {
    double expected = -(Math.log(0.7) + Math.log(0.8)) / 2;
    assertLoss(
        (tf, p, t) ->
            Losses.sparseCategoricalCrossentropy(
                tf, p, tf.constant(new int[] {0, 2}), false, Reduction.MEAN),
        PROBABILITIES,
        TARGETS,
        expected);
  }

  @Test
  void mismatchedShapesAreRejectedInsteadOfBroadcast() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat64> column =
          tf.placeholder(TFloat64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 1)));
      Operand<TFloat64> vector =
          tf.placeholder(TFloat64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1)));
      IllegalArgumentException error =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class, () -> Losses.meanSquaredError(tf, column, vector));
      assertEquals(
          "meanSquaredError: predictions [-1, 1] and targets [-1] must have the same"
              + " shape; reshape one of them (a [batch, 1] output needs labels of shape {1})",
          error.getMessage());
    }
  }

  @Test
  void reductions() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat64> p = tf.constant(PREDICTIONS);
      Operand<TFloat64> t = tf.constant(TARGETS);
      double[] perExample = new double[2];
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 3; j++) {
          perExample[i] +=
              (PREDICTIONS[i][j] - TARGETS[i][j]) * (PREDICTIONS[i][j] - TARGETS[i][j]) / 3;
        }
      }
      try (Result result =
          session
              .runner()
              .fetch(Losses.meanSquaredError(tf, p, t, Reduction.NONE))
              .fetch(Losses.meanSquaredError(tf, p, t, Reduction.SUM))
              .run()) {
        TFloat64 none = (TFloat64) result.get(0);
        assertArrayEquals(perExample, new double[] {none.getDouble(0), none.getDouble(1)}, 1e-12);
        assertEquals(perExample[0] + perExample[1], ((TFloat64) result.get(1)).getDouble(), 1e-12);
      }
    }
  }
}
