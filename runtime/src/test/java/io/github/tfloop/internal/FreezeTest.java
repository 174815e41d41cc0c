package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.weights.InitialWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Freezing ({@code Layers.trainable(false)}, {@code LoopOptions.freeze}) and learning-rate
 * multipliers: frozen weights and batch normalisation statistics stay as they were, the others
 * train; checkpoints record both, resume keeps its guarantees and refuses a different freeze set;
 * unfreezing is a new loop started from the trained weights.
 */
class FreezeTest {

  private static final Dataset TRAIN = Regression.data(64, 3);

  private static LoopOptions.Builder options() {
    return LoopOptions.builder().epochs(2).intraOpThreads(1).interOpThreads(1);
  }

  /**
   * {@link Regression}'s data through a base (dense 16, optionally batch normalisation, ReLU) in a
   * scope {@code base}, trainable or not, and a head {@code dense 1}: the model {@code curve}.
   */
  private static Trainer scoped(LoopOptions options, boolean trainBase, boolean batchNorm) {
    return TestLoops.build(
        "Curve",
        8,
        11L,
        options,
        loop -> {
          Operand<TFloat32> x = loop.input(Regression.X, TFloat32.class);
          Operand<TFloat32> y = loop.input(Regression.Y, TFloat32.class);
          Layers nn = loop.layers("curve");
          Layers base = nn.scope("base").trainable(trainBase);
          Operand<TFloat32> hidden = base.dense(x, 16, Activation.LINEAR);
          if (batchNorm) {
            hidden = base.batchNorm(hidden);
          }
          hidden = base.activation(hidden, Activation.RELU);
          Operand<TFloat32> prediction = loop.output("curve", nn.scope("head").dense(hidden, 1));
          loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.adam(0.9, 0.999, 1e-7))
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  /** Eight points of {@link Regression}'s kind. */
  private static float[] batchX() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(99);
    float[] x = new float[16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return x;
  }

  private static float[] batchY(float[] x) {
    float[] y = new float[x.length / 2];
    for (int i = 0; i < y.length; i++) {
      y[i] = (float) (Math.sin(3 * x[2 * i]) + x[2 * i + 1] * x[2 * i + 1]);
    }
    return y;
  }

  private static double[] values(Trainer loop, String variable) {
    return loop.variableValues(variable);
  }

  @Test
  void layersBuiltUntrainableKeepTheirWeightsAndGetNoOptimizerState() {
    try (Trainer loop = scoped(options().build(), false, false)) {
      Map<String, float[]> before = loop.trainableWeights();
      loop.fit(TRAIN, null);
      Map<String, float[]> after = loop.trainableWeights();
      assertArrayEquals(
          before.get("curve/base/dense/kernel"), after.get("curve/base/dense/kernel"));
      assertArrayEquals(before.get("curve/base/dense/bias"), after.get("curve/base/dense/bias"));
      assertFalse(
          Arrays.equals(
              before.get("curve/head/dense/kernel"), after.get("curve/head/dense/kernel")),
          "the head trains");
      Map<String, String> inventory = loop.engine().variableInventory();
      assertEquals("TFloat32 [2, 16] frozen", inventory.get("curve/base/dense/kernel"));
      assertEquals("TFloat32 [16, 1]", inventory.get("curve/head/dense/kernel"));
      assertTrue(inventory.containsKey("train/curve/head/dense/kernel/m"), inventory.toString());
      assertFalse(
          inventory.keySet().stream().anyMatch(name -> name.startsWith("train/curve/base/")),
          "no optimizer slots for frozen weights: " + inventory.keySet());
    }
  }

  @Test
  void freezeNamesAModelALayerOrAVariable() {
    try (Trainer loop = Regression.adam(options().freeze("curve/dense").build(), 0.01)) {
      Map<String, float[]> before = loop.trainableWeights();
      loop.fit(TRAIN, null);
      Map<String, float[]> after = loop.trainableWeights();
      assertArrayEquals(before.get("curve/dense/kernel"), after.get("curve/dense/kernel"));
      assertFalse(Arrays.equals(before.get("curve/dense_1/bias"), after.get("curve/dense_1/bias")));
    }
    try (Trainer loop = Regression.adam(options().freeze("curve/dense_1/bias").build(), 0.01)) {
      Map<String, float[]> before = loop.trainableWeights();
      loop.fit(TRAIN, null);
      Map<String, float[]> after = loop.trainableWeights();
      assertArrayEquals(before.get("curve/dense_1/bias"), after.get("curve/dense_1/bias"));
      assertFalse(Arrays.equals(before.get("curve/dense/bias"), after.get("curve/dense/bias")));
    }
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> Regression.adam(options().freeze("curve/dens").build(), 0.01));
    assertEquals(
        "Curve: LoopOptions name what the loop does not have: freeze 'curve/dens' covers no"
            + " variable. Its layers are [curve/dense, curve/dense_1]",
        unknown.getMessage());
    IllegalStateException everything =
        assertThrows(
            IllegalStateException.class,
            () -> Regression.adam(options().freeze("curve").build(), 0.01));
    assertEquals(
        "step 'train' has no variables to train: all 4 of its weights are frozen",
        everything.getMessage());
  }

  @Test
  void aFrozenBatchNormalisationUsesItsMovingStatisticsAndKeepsThem() {
    float[] batchX = batchX();
    float[] batchY = batchY(batchX);
    try (Trainer loop = scoped(options().build(), false, true)) {
      // Training mode computes what inference computes: the moving statistics, not the batch's.
      double evaluated =
          loop.evaluate(
                  Dataset.builder().add(Regression.X, batchX).add(Regression.Y, batchY).build())
              .get("loss");
      float trained = TestLoops.step(loop, 8, Regression.X, batchX, Regression.Y, batchY);
      assertEquals(evaluated, trained, 1e-6);
      loop.fit(TRAIN, null);
      assertArrayEquals(new double[16], values(loop, "curve/base/batch_norm/moving_mean"));
      double[] ones = new double[16];
      Arrays.fill(ones, 1);
      assertArrayEquals(ones, values(loop, "curve/base/batch_norm/moving_variance"));
      assertArrayEquals(ones, values(loop, "curve/base/batch_norm/gamma"));
      assertEquals(
          "TFloat32 [16] frozen",
          loop.engine().variableInventory().get("curve/base/batch_norm/moving_mean"));
    }
    // The same layer trainable: batch statistics while training, moving averages updated.
    try (Trainer loop = scoped(options().build(), true, true)) {
      double evaluated =
          loop.evaluate(
                  Dataset.builder().add(Regression.X, batchX).add(Regression.Y, batchY).build())
              .get("loss");
      float trained = TestLoops.step(loop, 8, Regression.X, batchX, Regression.Y, batchY);
      assertTrue(Math.abs(evaluated - trained) > 1e-3, evaluated + " vs " + trained);
      assertFalse(Arrays.equals(new double[16], values(loop, "curve/base/batch_norm/moving_mean")));
    }
  }

  @Test
  void aLearningRateMultiplierScalesTheUpdatesOfWhatItNames() {
    float[] batchX = batchX();
    float[] batchY = batchY(batchX);
    Map<String, float[]> plainBefore;
    Map<String, float[]> plainAfter;
    try (Trainer loop = Regression.sgd(options().build(), 0.1)) {
      plainBefore = loop.trainableWeights();
      TestLoops.step(loop, 8, Regression.X, batchX, Regression.Y, batchY);
      plainAfter = loop.trainableWeights();
    }
    try (Trainer loop =
        Regression.sgd(options().learningRateMultiplier("curve/dense", 0.25).build(), 0.1)) {
      Map<String, float[]> before = loop.trainableWeights();
      assertArrayEquals(plainBefore.get("curve/dense/kernel"), before.get("curve/dense/kernel"));
      TestLoops.step(loop, 8, Regression.X, batchX, Regression.Y, batchY);
      Map<String, float[]> after = loop.trainableWeights();
      for (String name : List.of("curve/dense/kernel", "curve/dense/bias")) {
        float[] plain = plainAfter.get(name);
        for (int i = 0; i < plain.length; i++) {
          float plainStep = plain[i] - plainBefore.get(name)[i];
          float scaledStep = after.get(name)[i] - before.get(name)[i];
          assertEquals(0.25f * plainStep, scaledStep, 1e-6f, name + "[" + i + "]");
        }
      }
      assertArrayEquals(plainAfter.get("curve/dense_1/kernel"), after.get("curve/dense_1/kernel"));
      assertEquals(
          "TFloat32 [2, 16] learning rate x0.25",
          loop.engine().variableInventory().get("curve/dense/kernel"));
    }
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> LoopOptions.builder().learningRateMultiplier("curve", 0));
    assertEquals(
        "learningRateMultiplier for 'curve' must be positive and finite, got 0.0; to stop"
            + " training it, freeze it",
        zero.getMessage());
  }

  @Test
  void aFitWithFrozenLayersResumesToTheSameWeightsAndRefusesAnotherFreezeSet(@TempDir Path root)
      throws IOException {
    LoopOptions.Builder frozen =
        options().freeze("curve/dense/bias").learningRateMultiplier("curve/dense_1", 0.5);
    Path all = root.resolve("all");
    float[] uninterrupted;
    try (Trainer loop =
        Regression.adam(
            frozen.checkpoints(CheckpointPolicy.in(all).everySteps(3).keepLast(100)).build(),
            0.01)) {
      loop.fit(TRAIN, null);
      uninterrupted = Regression.weights(loop);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    Path middle = checkpoints.get(checkpoints.size() / 2);
    Path alone = root.resolve("alone");
    copy(middle, alone.resolve(middle.getFileName()));
    try (Trainer loop =
        Regression.adam(frozen.checkpoints(CheckpointPolicy.in(alone)).build(), 0.01)) {
      loop.resume(TRAIN, null);
      assertArrayEquals(uninterrupted, Regression.weights(loop), 0f, "resumed from " + middle);
    }

    Path other = root.resolve("other");
    copy(middle, other.resolve(middle.getFileName()));
    try (Trainer loop =
        Regression.adam(
            options()
                .freeze("curve/dense/kernel")
                .learningRateMultiplier("curve/dense_1", 0.5)
                .checkpoints(CheckpointPolicy.in(other))
                .build(),
            0.01)) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> loop.resume(TRAIN, null));
      String checkpoint = other.resolve(middle.getFileName()).toString();
      assertEquals(
          "checkpoint "
              + checkpoint
              + " was written by a fit that froze or scaled the learning rate of other weights"
              + " than this loop does (curve/dense/bias: frozen then, trained now;"
              + " curve/dense/kernel: trained then, frozen now): resume with the LoopOptions.freeze"
              + " and learningRateMultiplier it was written with, or start a new fit from its"
              + " weights with LoopOptions.initialWeights(InitialWeights.from("
              + checkpoint
              + "))",
          refused.getMessage());
    }
    try (Trainer loop =
        Regression.adam(
            options().freeze("curve/dense/bias").checkpoints(CheckpointPolicy.in(other)).build(),
            0.01)) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> loop.resume(TRAIN, null));
      assertTrue(
          refused
              .getMessage()
              .contains(
                  "(curve/dense_1/bias: learning rate x0.5 then, trained now; curve/dense_1/kernel:"
                      + " learning rate x0.5 then, trained now)"),
          refused.getMessage());
    }
  }

  @Test
  void unfreezingIsANewLoopStartedFromTheTrainedWeights(@TempDir Path root) {
    Path head = root.resolve("head");
    Map<String, float[]> trained;
    try (Trainer loop =
        scoped(options().checkpoints(CheckpointPolicy.in(head)).build(), false, false)) {
      loop.fit(TRAIN, null);
      trained = loop.trainableWeights();
    }
    try (Trainer loop =
        scoped(
            options()
                .initialWeights(InitialWeights.from(head))
                .learningRateMultiplier("curve/base", 0.1)
                .build(),
            true,
            false)) {
      Map<String, float[]> start = loop.trainableWeights();
      assertEquals(trained.keySet(), start.keySet());
      trained.forEach((name, values) -> assertArrayEquals(values, start.get(name), 0f, name));
      loop.fit(TRAIN, null);
      assertFalse(
          Arrays.equals(
              start.get("curve/base/dense/kernel"),
              loop.trainableWeights().get("curve/base/dense/kernel")),
          "unfrozen, the base trains");
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }
}
