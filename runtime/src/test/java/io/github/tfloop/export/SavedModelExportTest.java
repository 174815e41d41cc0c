package io.github.tfloop.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.LoopBuilder;
import io.github.tfloop.internal.LoopEngine;
import io.github.tfloop.internal.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A trained classifier exported, loaded back in a fresh session, and asked the same questions. */
class SavedModelExportTest {

  static final InputSpec POINT = InputSpec.feature("point", DType.FLOAT32, 2);
  static final InputSpec SIDE = InputSpec.label("side", DType.INT32);

  @Test
  void loadedModelPredictsWhatTheLoopPredicts(@TempDir Path directory) {
    Dataset data = data(256, 1);
    Dataset questions = data(50, 2);
    float[] points = (float[]) questions.column("point").values();
    Path model = directory.resolve("model/1");
    float[] expected;
    try (LoopEngine engine = classifier(LoopOptions.builder().epochs(3).build())) {
      engine.fit(data, null);
      expected = engine.predictFloats(questions);
      engine.exportSavedModel(model);
      // the export froze the weights: training on does not change it
      engine.fit(data, null);
    }
    assertTrue(Files.isRegularFile(model.resolve("saved_model.pb")));
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModelExport.TAG);
        TFloat32 input = TFloat32.tensorOf(Shape.of(50, 2), DataBuffers.of(points));
        Result result = bundle.function(SavedModelExport.SERVING).call(Map.of("point", input))) {
      TFloat32 logits = (TFloat32) result.get("output").orElseThrow();
      assertEquals(Shape.of(50, 2), logits.shape());
      float[] actual = new float[100];
      logits.asRawTensor().data().asFloats().read(actual);
      assertArrayEquals(expected, actual, 0f);
    }
  }

  @Test
  void refusesToOverwrite(@TempDir Path directory) {
    try (LoopEngine engine = classifier(LoopOptions.defaults())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> engine.exportSavedModel(directory));
      assertEquals("cannot export a SavedModel to " + directory + ": it exists; export to a new"
          + " directory (SavedModels are versioned: model/1, model/2)", error.getMessage());
    }
  }

  /** Which side of the line x0 = x1 a point lies on, by a two-layer network. */
  static LoopEngine classifier(LoopOptions options) {
    LoopBuilder loop = LoopBuilder.create("Side", 16, 3L, options);
    try {
      Operand<TFloat32> point = loop.input(POINT, TFloat32.class);
      Operand<TInt32> side = loop.input(SIDE, TInt32.class);
      Layers nn = loop.layers("logits");
      Operand<TFloat32> logits =
          loop.output("logits", nn.dense(nn.dense(point, 8, Activation.RELU), 2));
      loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, side));
      loop.step(StepSpec.named("train").minimizing("loss")
          .optimizer(Optimizers.adam(0.9, 0.999, 1e-7)).learningRate(LearningRate.constant(0.01)));
      return loop.build();
    } catch (RuntimeException e) {
      loop.abort();
      throw e;
    }
  }

  static Dataset data(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] points = new float[2 * size];
    int[] sides = new int[size];
    for (int i = 0; i < size; i++) {
      points[2 * i] = (float) random.nextDouble(-1, 1);
      points[2 * i + 1] = (float) random.nextDouble(-1, 1);
      sides[i] = points[2 * i] > points[2 * i + 1] ? 1 : 0;
    }
    return Dataset.builder().add(POINT, points).add(SIDE, sides).build();
  }
}
