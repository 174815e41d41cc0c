package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Initializer;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.weights.InitialWeights;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel as a layer of a loop: the TensorFlow 1 and 2 {@code half_plus_two} fixtures ({@code
 * y = a x + b}, a = 0.5, b = 2) fine-tuned through their imported variables, frozen under a new
 * head, checkpointed and exported; and a SavedModel tfloop exported, imported back.
 */
class SavedModelLayerLoopTest {

  static final InputSpec X = InputSpec.feature("x", DType.FLOAT32, 1);
  static final InputSpec Y = InputSpec.label("y", DType.FLOAT32, 1);

  static Path fixture(String name) {
    try {
      return Path.of(SavedModelLayerLoopTest.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A loop fitting {@code line(x)} to y by SGD, {@code line} built by {@code model}. */
  static Trainer line(
      LoopOptions options,
      double learningRate,
      BiFunction<Layers, Operand<TFloat32>, Operand<TFloat32>> model) {
    return TestLoops.build(
        "Line",
        4,
        5L,
        options,
        loop -> {
          Operand<TFloat32> x = loop.input(X, TFloat32.class);
          Operand<TFloat32> y = loop.input(Y, TFloat32.class);
          Operand<TFloat32> prediction = loop.output("line", model.apply(loop.layers("line"), x));
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.sgd())
                  .learningRate(LearningRate.constant(learningRate)));
        });
  }

  /** The fixture as a layer: TensorFlow 2's takes a vector, TensorFlow 1's a column. */
  static Operand<TFloat32> halfPlusTwo(Layers nn, Operand<TFloat32> x, String fixture) {
    if (fixture.endsWith("tf1")) {
      return nn.savedModel(fixture(fixture)).apply(x);
    }
    Operand<TFloat32> vector = nn.ops().reshape(x, nn.ops().constant(new long[] {-1}));
    return nn.reshape(nn.savedModel(fixture(fixture)).apply(vector), 1);
  }

  /** {@code y = 1.5 x + 1} on x in [-2, 2]. */
  static Dataset target(int size) {
    float[] x = new float[size];
    float[] y = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = -2 + 4f * i / (size - 1);
      y[i] = 1.5f * x[i] + 1;
    }
    return Dataset.builder().add(X, x).add(Y, y).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"half_plus_two_tf1", "half_plus_two_tf2"})
  void fineTunesThroughTheImportedVariablesAndExportsThem(String fixture, @TempDir Path dir)
      throws java.io.IOException {
    LoopOptions.Builder options =
        LoopOptions.builder().epochs(60).intraOpThreads(1).interOpThreads(1);
    double[] tuned;
    try (Trainer loop =
        line(
            options
                .checkpoints(CheckpointPolicy.in(dir.resolve("all")).everySteps(50).keepLast(10))
                .build(),
            0.05,
            (nn, x) -> halfPlusTwo(nn, x, fixture))) {
      assertArrayEquals(new double[] {0.5}, loop.variableValues("line/saved_model/a"));
      assertArrayEquals(new double[] {2}, loop.variableValues("line/saved_model/b"));
      assertEquals("TFloat32 []", loop.engine().variableInventory().get("line/saved_model/a"));
      loop.fit(target(16), null);
      assertEquals(1.5, loop.variableValues("line/saved_model/a")[0], 1e-3);
      assertEquals(1.0, loop.variableValues("line/saved_model/b")[0], 1e-3);
      loop.exportSavedModel(dir.resolve("tuned"));
      tuned =
          new double[] {
            loop.variableValues("line/saved_model/a")[0],
            loop.variableValues("line/saved_model/b")[0]
          };
    }
    // Resumed from a checkpoint of the middle of the fit: the same values, bit for bit.
    java.util.List<Path> checkpoints =
        io.github.tfloop.checkpoint.CheckpointStore.open(dir.resolve("all")).checkpoints();
    Path middle = checkpoints.get(checkpoints.size() / 2);
    Path alone = dir.resolve("alone").resolve(middle.getFileName());
    java.nio.file.Files.createDirectories(alone);
    try (var files = java.nio.file.Files.list(middle)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        java.nio.file.Files.copy(file, alone.resolve(file.getFileName()));
      }
    }
    try (Trainer loop =
        line(
            options.checkpoints(CheckpointPolicy.in(dir.resolve("alone"))).build(),
            0.05,
            (nn, x) -> halfPlusTwo(nn, x, fixture))) {
      loop.resume(target(16), null);
      assertArrayEquals(
          tuned,
          new double[] {
            loop.variableValues("line/saved_model/a")[0],
            loop.variableValues("line/saved_model/b")[0]
          },
          0,
          "resumed from " + middle.getFileName());
    }
    // The export holds the tuned values, served by TensorFlow itself.
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.resolve("tuned").toString(), "serve");
        TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(2, 1),
                data -> {
                  data.setFloat(2, 0, 0);
                  data.setFloat(-1, 1, 0);
                });
        Result result = bundle.function("serving_default").call(Map.of("x", x))) {
      TFloat32 y = (TFloat32) result.get("output").orElseThrow();
      assertEquals(4.0f, y.getFloat(0, 0), 2e-3f);
      assertEquals(-0.5f, y.getFloat(1, 0), 2e-3f);
    }
  }

  @Test
  void aFrozenSavedModelUnderANewHeadKeepsItsWeights(@TempDir Path dir) {
    try (Trainer loop =
        line(
            LoopOptions.builder().epochs(5).checkpoints(CheckpointPolicy.in(dir)).build(),
            0.05,
            (nn, x) -> {
              Operand<TFloat32> features =
                  nn.savedModel(fixture("half_plus_two_tf1")).trainable(false).apply(x);
              return nn.dense(features, 1);
            })) {
      Map<String, String> inventory = loop.engine().variableInventory();
      assertEquals("TFloat32 [] frozen", inventory.get("line/saved_model/a"));
      assertEquals("TFloat32 [1, 1]", inventory.get("line/dense/kernel"));
      float[] head = loop.trainableWeights().get("line/dense/kernel");
      loop.fit(target(16), null);
      assertArrayEquals(new double[] {0.5}, loop.variableValues("line/saved_model/a"));
      assertArrayEquals(new double[] {2}, loop.variableValues("line/saved_model/b"));
      assertFalse(java.util.Arrays.equals(head, loop.trainableWeights().get("line/dense/kernel")));
    }
  }

  /**
   * A loop tfloop exported, imported back: as a layer (its weights are constants, frozen), it
   * predicts what the exporting loop predicted; as initial weights, its constants load into the
   * same architecture.
   */
  @Test
  void aSavedModelTfloopExportedComesBackAsALayerAndAsWeights(@TempDir Path dir) {
    Dataset train = Regression.data(64, 3);
    Dataset test = Regression.data(10, 4);
    Path exported = dir.resolve("curve");
    float[] predicted;
    Map<String, float[]> weights;
    try (Trainer loop = Regression.adam(LoopOptions.builder().epochs(3).build(), 0.01)) {
      loop.fit(train, null);
      loop.exportSavedModel(exported);
      predicted = loop.predictFloats(test);
      weights = loop.trainableWeights();
    }
    try (Trainer loop =
        TestLoops.build(
            "Reused",
            8,
            1L,
            LoopOptions.defaults(),
            builder -> {
              Operand<TFloat32> x = builder.input(Regression.X, TFloat32.class);
              Operand<TFloat32> y = builder.input(Regression.Y, TFloat32.class);
              Layers nn = builder.layers("reused");
              Operand<TFloat32> imported = nn.savedModel(exported).apply(x);
              Operand<TFloat32> offset =
                  nn.variable("offset", Shape.of(1), TFloat32.class, Initializer.zeros());
              Operand<TFloat32> prediction =
                  builder.output("reused", nn.ops().math.add(imported, offset));
              builder.loss("loss", Losses.meanSquaredError(builder.ops(), prediction, y));
              builder.step(
                  StepSpec.named("train")
                      .minimizing("loss")
                      .optimizer(Optimizers.sgd())
                      .learningRate(LearningRate.constant(0.1)));
            })) {
      assertEquals(
          List.of("reused/offset"), List.copyOf(loop.trainableWeights().keySet()), "no variables");
      assertArrayEquals(predicted, loop.predictFloats(test), 0f);
    }
    try (Trainer loop =
        Regression.adam(
            LoopOptions.builder().initialWeights(InitialWeights.from(exported)).build(), 0.01)) {
      Map<String, float[]> loaded = loop.trainableWeights();
      weights.forEach((name, values) -> assertArrayEquals(values, loaded.get(name), 0f, name));
      assertArrayEquals(predicted, loop.predictFloats(test), 0f);
      assertTrue(weights.size() == 4);
    }
  }
}
