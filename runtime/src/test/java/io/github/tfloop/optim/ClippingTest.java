package io.github.tfloop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/** Clipping of two gradient tensors, against the same clipping computed here. */
class ClippingTest {

  private static final double[] A = {3.0, -4.0};
  private static final double[] B = {12.0, 0.5, -0.25};

  private static double norm(double[]... tensors) {
    double sum = 0;
    for (double[] tensor : tensors) {
      for (double value : tensor) {
        sum += value * value;
      }
    }
    return Math.sqrt(sum);
  }

  private static double[] scaled(double[] values, double factor) {
    double[] result = values.clone();
    for (int i = 0; i < result.length; i++) {
      result[i] *= factor;
    }
    return result;
  }

  private static double[][] clip(Clipping clipping) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      List<Operand<? extends TNumber>> gradients = List.of(tf.constant(A), tf.constant(B));
      Operand<TFloat32> globalNorm = Gradients.globalNorm(tf, gradients);
      List<Operand<? extends TNumber>> clipped = clipping.clip(tf, gradients, globalNorm);
      Session.Runner runner = session.runner();
      clipped.forEach(runner::fetch);
      runner.fetch(globalNorm);
      try (Result result = runner.run()) {
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          TFloat64 tensor = (TFloat64) result.get(i);
          double[] array = new double[(int) tensor.size()];
          for (int j = 0; j < array.length; j++) {
            array[j] = tensor.getDouble(j);
          }
          values.add(array);
        }
        assertEquals(norm(A, B), ((TFloat32) result.get(2)).getFloat(), 1e-5, "global norm");
        return values.toArray(new double[0][]);
      }
    }
  }

  @Test
  void none() {
    double[][] clipped = clip(Clipping.none());
    assertArrayEquals(A, clipped[0], 0);
    assertArrayEquals(B, clipped[1], 0);
  }

  @Test
  void byValue() {
    double[][] clipped = clip(Clipping.byValue(1.0));
    assertArrayEquals(new double[] {1.0, -1.0}, clipped[0], 0);
    assertArrayEquals(new double[] {1.0, 0.5, -0.25}, clipped[1], 0);
  }

  @Test
  void byNormScalesEachTensorOnItsOwn() {
    double[][] clipped = clip(Clipping.byNorm(2.0));
    assertArrayEquals(scaled(A, 2.0 / norm(A)), clipped[0], 1e-6);
    assertArrayEquals(scaled(B, 2.0 / norm(B)), clipped[1], 1e-6);
  }

  @Test
  void byNormLeavesSmallTensorsAlone() {
    double[][] clipped = clip(Clipping.byNorm(100.0));
    assertArrayEquals(A, clipped[0], 0);
    assertArrayEquals(B, clipped[1], 0);
  }

  @Test
  void byGlobalNormScalesAllTensorsTogether() {
    double factor = 5.0 / norm(A, B);
    double[][] clipped = clip(Clipping.byGlobalNorm(5.0));
    assertArrayEquals(scaled(A, factor), clipped[0], 1e-6);
    assertArrayEquals(scaled(B, factor), clipped[1], 1e-6);
    assertEquals(5.0, norm(clipped), 1e-5);
  }
}
