package io.github.tfloop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Each schedule, evaluated in the graph at chosen steps, against its formula computed here. */
class LearningRatesTest {

  private static final long[] STEPS = {0, 1, 5, 99, 100, 101, 250, 999, 1000, 1001, 5000};

  private static void assertSchedule(LearningRate schedule, LongToDoubleFunction formula) {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TInt64> t = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      Operand<TFloat32> rate = schedule.value(tf, t);
      for (long step : STEPS) {
        try (TInt64 value = TInt64.scalarOf(step);
            Result result = session.runner().feed(t, value).fetch(rate).run()) {
          double expected = formula.applyAsDouble(step);
          assertEquals(
              expected,
              ((TFloat32) result.get(0)).getFloat(),
              Math.abs(expected) * 1e-6,
              schedule + " at step " + step);
        }
      }
    }
  }

  @Test
  void constant() {
    assertSchedule(LearningRates.constant(0.01), t -> 0.01);
  }

  @Test
  void exponentialDecay() {
    assertSchedule(
        LearningRates.exponentialDecay(0.1, 100, 0.5, false), t -> 0.1 * Math.pow(0.5, t / 100.0));
  }

  @Test
  void exponentialDecayStaircase() {
    assertSchedule(
        LearningRates.exponentialDecay(0.1, 100, 0.5, true),
        t -> 0.1 * Math.pow(0.5, Math.floor(t / 100.0)));
  }

  @Test
  void piecewiseConstant() {
    assertSchedule(
        LearningRates.piecewiseConstant(new long[] {100, 1000}, new double[] {1.0, 0.5, 0.1}),
        t -> t <= 100 ? 1.0 : t <= 1000 ? 0.5 : 0.1);
  }

  @Test
  void polynomialDecay() {
    assertSchedule(
        LearningRates.polynomialDecay(0.1, 1000, 0.001, 2.0),
        t -> (0.1 - 0.001) * Math.pow(1 - Math.min(t, 1000) / 1000.0, 2) + 0.001);
  }

  @Test
  void cosineDecayWithWarmup() {
    double initial = 0.2;
    long warmup = 100;
    long decay = 900;
    double alpha = 0.05;
    assertSchedule(
        LearningRates.cosineDecay(initial, decay, alpha, warmup),
        t -> {
          if (t < warmup) {
            return initial * t / warmup;
          }
          double progress = Math.min(t - warmup, decay) / (double) decay;
          return initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
        });
  }

  @Test
  void cosineDecayWithoutWarmupStartsAtTheInitialRate() {
    assertSchedule(
        LearningRates.cosineDecay(0.2, 1000, 0, 0),
        t -> 0.2 * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, 1000) / 1000.0)));
  }

  @Test
  void badSchedulesAreRejectedWithTheirReason() {
    IllegalArgumentException piecewise =
        assertThrows(
            IllegalArgumentException.class,
            () -> LearningRates.piecewiseConstant(new long[] {10, 5}, new double[] {1, 2, 3}));
    assertEquals("piecewiseConstant boundaries must increase, got [10, 5]", piecewise.getMessage());
    IllegalArgumentException values =
        assertThrows(
            IllegalArgumentException.class,
            () -> LearningRates.piecewiseConstant(new long[] {10}, new double[] {1}));
    assertEquals(
        "piecewiseConstant needs one value more than boundaries: 1 boundaries, 1 values",
        values.getMessage());
  }
}
