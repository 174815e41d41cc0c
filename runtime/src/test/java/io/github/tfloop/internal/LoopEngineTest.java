package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Column;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.Evaluation;
import io.github.tfloop.train.Execution;
import io.github.tfloop.train.History;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NativeResources;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The engine driven the way generated code drives it: a linear regression {@code y = 3x - 2} built
 * through {@link LoopBuilder}, whose solution is known.
 */
class LoopEngineTest {

  static final InputSpec X = InputSpec.feature("x", DType.FLOAT32, 1);
  static final InputSpec Y = InputSpec.label("y", DType.FLOAT32, 1);

  static Trainer regression(LoopOptions options) {
    LoopBuilder loop = LoopBuilder.create("Line", 16, 7L, options);
    try {
      Operand<TFloat32> x = loop.input(X, TFloat32.class);
      Operand<TFloat32> y = loop.input(Y, TFloat32.class);
      Layers nn = loop.layers("line");
      Operand<TFloat32> prediction = loop.output("line", nn.dense(x, 1));
      loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
      loop.step(
          StepSpec.named("train")
              .minimizing("loss")
              .optimizer(Optimizers.sgd())
              .learningRate(LearningRate.constant(0.1)));
      return Trainer.start(loop.build());
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  static Dataset line(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[size];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
      y[i] = 3 * x[i] - 2;
    }
    return Dataset.builder().add(X, x).add(Y, y).build();
  }

  @ParameterizedTest
  @EnumSource(Execution.class)
  void fitLearnsTheLine(Execution execution) {
    try (Trainer engine =
        regression(LoopOptions.builder().epochs(30).execution(execution).build())) {
      History history = engine.fit(line(256, 1), line(64, 2));
      assertEquals(30, history.epochs().size());
      assertTrue(history.last().get("loss") < 1e-4, history.toString());
      assertTrue(history.last().get("val_loss") < 1e-4, history.toString());
      float[] predictions =
          engine.predictFloats(Dataset.builder().add(X, new float[] {0, 1, -1}).build());
      assertArrayEquals(new float[] {-2, 1, -5}, predictions, 0.02f);
      assertEquals(30 * 16, engine.globalStep());
    }
  }

  @Test
  void bothExecutionsTrainToTheSameWeights() {
    float[][] results = new float[2][];
    for (Execution execution : Execution.values()) {
      try (Trainer engine =
          regression(LoopOptions.builder().epochs(3).execution(execution).build())) {
        engine.fit(line(100, 3), null);
        results[execution.ordinal()] =
            engine.predictFloats(Dataset.builder().add(X, new float[] {0.5f, -0.25f}).build());
      }
    }
    assertArrayEquals(results[0], results[1], 0f);
  }

  @Test
  void stepReturnsTheLossOfTheBatchBeforeTheUpdate() {
    try (Trainer engine = regression(LoopOptions.defaults())) {
      Dataset data = line(16, 4);
      Evaluation before = engine.evaluate(data);
      float loss =
          TestLoops.step(
              engine,
              16,
              X,
              ((Column) data.column("x")).values(),
              Y,
              ((Column) data.column("y")).values());
      assertEquals(before.get("loss"), loss, 1e-5);
      assertTrue(engine.evaluate(data).get("loss") < before.get("loss"));
    }
  }

  @Test
  void stepScalarsReportTheLearningRateAndTheLastGradientNorm() {
    try (Trainer engine = regression(LoopOptions.builder().gradientNorm(true).build())) {
      assertEquals(0.0, engine.stepScalars().get("gradient_norm"));
      Dataset data = line(16, 6);
      float[] x = (float[]) data.column("x").values();
      float[] y = (float[]) data.column("y").values();
      // the line's weights before the update: y = w x + b
      double b = predictAt(engine, 0);
      double w = predictAt(engine, 1) - b;
      TestLoops.step(engine, 16, X, x, Y, y);
      // gradients of mean((w x + b - y)^2), by hand
      double dw = 0;
      double db = 0;
      for (int i = 0; i < x.length; i++) {
        double error = w * x[i] + b - y[i];
        dw += 2 * error * x[i] / x.length;
        db += 2 * error / x.length;
      }
      assertEquals(Math.hypot(dw, db), engine.stepScalars().get("gradient_norm"), 1e-4);
      assertEquals(0.1, engine.stepScalars().get("learning_rate"), 1e-7);
    }
  }

  private static float predictAt(Trainer engine, float x) {
    return engine.predictFloats(Dataset.builder().add(X, new float[] {x}).build())[0];
  }

  @Test
  void closeReleasesTheSession() {
    int open = NativeResources.openSessions();
    Trainer engine = regression(LoopOptions.defaults());
    assertEquals(open + 1, NativeResources.openSessions());
    engine.close();
    assertEquals(open, NativeResources.openSessions());
    IllegalStateException closed =
        assertThrows(IllegalStateException.class, () -> engine.evaluate(line(4, 5)));
    assertEquals("LineLoop.evaluate called after close(): the loop is closed", closed.getMessage());
    engine.close(); // closing twice is harmless
    assertEquals(open, NativeResources.openSessions());
  }

  @Test
  void missingColumnIsNamed() {
    try (Trainer engine = regression(LoopOptions.defaults())) {
      Dataset noLabels = Dataset.builder().add("x", Column.of(new float[32], 1)).build();
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> engine.fit(noLabels, null));
      assertEquals(
          "training data has no column 'y' for label y: FLOAT32 [1]; its columns are [x]",
          error.getMessage());
    }
  }
}
