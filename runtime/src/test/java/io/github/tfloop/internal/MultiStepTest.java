package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Two models, two losses, two steps, the second every third batch: each step changes only its own
 * variables, and only on the batches it is due.
 */
class MultiStepTest {

  private static final InputSpec X = InputSpec.feature("x", DType.FLOAT32, 2);
  private static final InputSpec Y = InputSpec.label("y", DType.FLOAT32, 1);

  private static Trainer twoSteps(int everyB) {
    LoopBuilder loop = LoopBuilder.create("Two", 8, 3L, LoopOptions.defaults());
    Operand<TFloat32> x = loop.input(X, TFloat32.class);
    Operand<TFloat32> y = loop.input(Y, TFloat32.class);
    Operand<TFloat32> a = loop.output("a", loop.layers("a").dense(x, 1));
    Operand<TFloat32> b = loop.output("b", loop.layers("b").dense(x, 1));
    loop.loss("lossA", Losses.meanSquaredError(loop.ops(), a, y));
    loop.loss("lossB", Losses.meanSquaredError(loop.ops(), b, y));
    loop.step(
        StepSpec.named("trainA")
            .minimizing("lossA")
            .optimizer(Optimizers.sgd())
            .learningRate(LearningRate.constant(0.1))
            .variables("a"));
    loop.step(
        StepSpec.named("trainB")
            .minimizing("lossB")
            .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
            .learningRate(LearningRate.constant(0.1))
            .variables("b")
            .every(everyB));
    return Trainer.start(loop.build());
  }

  private static float step(Trainer engine, int seed) {
    float[] x = new float[16];
    float[] y = new float[8];
    for (int i = 0; i < 8; i++) {
      x[2 * i] = (seed * 7 + i) % 5 - 2;
      x[2 * i + 1] = (seed * 3 + i) % 4 - 1.5f;
      y[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5f;
    }
    return TestLoops.step(engine, 8, X, x, Y, y);
  }

  @Test
  void eachStepChangesOnlyItsOwnVariablesOnlyWhenDue() {
    try (Trainer engine = twoSteps(3);
        Trainer withoutB = twoSteps(1000)) {
      double[] b0 = engine.variableValues("b/dense/kernel");
      for (int n = 1; n <= 3; n++) {
        step(engine, n);
        step(withoutB, n);
        double[] bNow = engine.variableValues("b/dense/kernel");
        if (n < 3) {
          assertArrayEquals(b0, bNow, 0.0, "trainB is not due on batch " + n);
        } else {
          assertFalse(Arrays.equals(b0, bNow), "trainB ran on batch 3");
        }
        // trainB never changes a: a follows exactly the path it takes when trainB never runs
        assertArrayEquals(
            withoutB.variableValues("a/dense/kernel"),
            engine.variableValues("a/dense/kernel"),
            0.0,
            "a after batch " + n);
        assertArrayEquals(
            withoutB.variableValues("a/dense/bias"),
            engine.variableValues("a/dense/bias"),
            0.0,
            "a after batch " + n);
      }
      assertEquals(3, engine.globalStep(), "every batch counts once");
      assertEquals(3.0, engine.variableValues("trainA/iterations")[0]);
      assertEquals(1.0, engine.variableValues("trainB/iterations")[0]);
    }
  }

  @Test
  void fitRunsTheSlowStepOnItsBatchesOnly() {
    try (Trainer engine = twoSteps(3)) {
      float[] x = new float[2 * 80];
      float[] y = new float[80];
      Dataset data = Dataset.builder().add(X, Column.of(x, 2)).add(Y, Column.of(y, 1)).build();
      engine.fit(data, null); // 10 batches
      assertEquals(10.0, engine.variableValues("trainA/iterations")[0]);
      assertEquals(3.0, engine.variableValues("trainB/iterations")[0]);
    }
  }
}
