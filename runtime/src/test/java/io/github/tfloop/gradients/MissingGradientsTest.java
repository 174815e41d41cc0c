package io.github.tfloop.gradients;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The registered {@code SparseSoftmaxCrossEntropyWithLogits} gradient against a central-difference
 * numeric gradient of the same loss, and against the closed form {@code (softmax - onehot) / n}.
 */
class MissingGradientsTest {

  private static final double[][] LOGITS = {
    {0.5, -1.2, 2.0, 0.1, 0.0},
    {-0.3, 0.8, 0.8, -2.5, 1.1},
    {3.0, 0.2, -0.7, 0.4, -1.0},
    {0.0, 0.0, 0.0, 0.0, 0.0}
  };
  private static final int[] LABELS = {2, 4, 1, 3};

  @Test
  void sparseSoftmaxCrossEntropyGradientMatchesTheNumericGradient() {
    MissingGradients.register();
    try (Graph graph = new Graph();
        Session session = new Session(graph);
        TFloat64 logits = TFloat64.tensorOf(StdArrays.ndCopyOf(LOGITS));
        TInt32 labels = TInt32.vectorOf(LABELS)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat64> x = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(4, 5)));
      Placeholder<TInt32> y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(4)));
      Operand<TFloat64> loss =
          tf.math.mean(tf.nn.sparseSoftmaxCrossEntropyWithLogits(x, y).loss(), tf.constant(0));
      Output<?> gradient = tf.gradients(loss, List.of(x)).dy(0);

      double[][] symbolic = new double[4][5];
      try (Result result = session.runner().feed(x, logits).feed(y, labels).fetch(gradient).run()) {
        StdArrays.copyFrom((TFloat64) result.get(0), symbolic);
      }

      double h = 1e-6;
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 5; j++) {
          double[][] plus = copy(LOGITS);
          double[][] minus = copy(LOGITS);
          plus[i][j] += h;
          minus[i][j] -= h;
          double numeric =
              (lossOf(session, x, y, loss, plus, labels)
                      - lossOf(session, x, y, loss, minus, labels))
                  / (2 * h);
          assertEquals(numeric, symbolic[i][j], 1e-7, "d loss / d logits[" + i + "][" + j + "]");
          assertEquals(closedForm(i, j), symbolic[i][j], 1e-12);
        }
      }
    }
  }

  /** {@code (softmax(logits[i])[j] - [j == label]) / n}. */
  private static double closedForm(int i, int j) {
    double sum = 0;
    for (double logit : LOGITS[i]) {
      sum += Math.exp(logit);
    }
    double softmax = Math.exp(LOGITS[i][j]) / sum;
    return (softmax - (j == LABELS[i] ? 1 : 0)) / LOGITS.length;
  }

  private static double lossOf(
      Session session,
      Operand<TFloat64> x,
      Operand<TInt32> y,
      Operand<TFloat64> loss,
      double[][] logits,
      TInt32 labels) {
    try (TFloat64 input = TFloat64.tensorOf(StdArrays.ndCopyOf(logits));
        Result result = session.runner().feed(x, input).feed(y, labels).fetch(loss).run()) {
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
}
