package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.LogCapture;
import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.checkpoint.CheckpointStore;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import io.github.tfloop.distributed.Cluster;
import io.github.tfloop.internal.build.LoopBuilder;
import io.github.tfloop.internal.build.LoopGraph;
import io.github.tfloop.internal.build.StepSpec;
import io.github.tfloop.loss.Losses;
import io.github.tfloop.nn.Activation;
import io.github.tfloop.nn.Layers;
import io.github.tfloop.optim.LearningRate;
import io.github.tfloop.optim.Optimizers;
import io.github.tfloop.train.LoopOptions;
import io.github.tfloop.train.NativeResources;
import io.github.tfloop.weights.InitialWeights;
import io.github.tfloop.weights.WeightFileException;
import io.github.tfloop.weights.WeightMapping;
import io.github.tfloop.weights.WeightMappingException;
import io.github.tfloop.weights.WeightSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code LoopOptions.initialWeights}: a loop starts from weights made elsewhere (a Keras 2 MLP
 * trained on MNIST, a checkpoint directory tfloop wrote), checked while the graph is built and
 * loaded once its variables are initialised; a resumed checkpoint wins over them.
 */
class InitialWeightsTest {

  static final InputSpec PIXELS = InputSpec.feature("pixels", DType.FLOAT32, 784);
  static final InputSpec DIGIT = InputSpec.label("digit", DType.INT32);

  /** The Keras 2.2.4 MNIST MLP of the weight fixtures (784 -> 128 ReLU -> 10). */
  static Path mnistH5() {
    try {
      return Path.of(
          InitialWeightsTest.class.getResource("/fixtures/keras2_mnist_mlp/mnist.h5").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Keras layers' weights onto the loop's {@code logits/dense} and {@code logits/dense_1}. */
  static InitialWeights kerasMlp() {
    return InitialWeights.from(
        mnistH5(),
        WeightMapping.builder()
            .renamePrefix("dense_6/", "logits/dense/")
            .renamePrefix("dense_7/", "logits/dense_1/")
            .build());
  }

  /** An MLP loop of that shape, {@code hidden} units wide. */
  static Trainer mlp(LoopOptions options, int hidden) {
    return TestLoops.build(
        "Mnist",
        32,
        7L,
        options,
        loop -> {
          Operand<TFloat32> pixels = loop.input(PIXELS, TFloat32.class);
          Operand<TInt32> digit = loop.input(DIGIT, TInt32.class);
          Layers nn = loop.layers("logits");
          Operand<TFloat32> logits =
              loop.output("logits", nn.dense(nn.dense(pixels, hidden, Activation.RELU), 10));
          loop.loss("loss", Losses.sparseCategoricalCrossentropy(loop.ops(), logits, digit));
          loop.step(
              StepSpec.named("train")
                  .minimizing("loss")
                  .optimizer(Optimizers.sgd())
                  .learningRate(LearningRate.constant(0.01)));
        });
  }

  private static float[] images(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] pixels = new float[count * 784];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextInt(4) == 0 ? (float) random.nextDouble() : 0;
    }
    return pixels;
  }

  @Test
  void aKerasMlpLoadsIntoTheLoopAndPredictsAsThePlainJavaForwardPass() {
    List<LogRecord> logged;
    float[] pixels = images(3, 1);
    float[] predicted;
    Map<String, float[]> weights;
    Trainer[] created = new Trainer[1];
    logged =
        LogCapture.records(
            "io.github.tfloop.weights",
            Level.INFO,
            () -> created[0] = mlp(LoopOptions.builder().initialWeights(kerasMlp()).build(), 128));
    try (Trainer loop = created[0]) {
      predicted = loop.predictFloats(Dataset.builder().add(PIXELS, pixels).build());
      weights = loop.trainableWeights();
    }
    // Values read by the HDF5 library's h5dump (see the fixtures' README).
    assertArrayEquals(
        new float[] {
          -0.17459771f, -0.0285187494f, 0.0227623414f, -0.0826971754f, 0.0561431721f,
          0.0807528719f, 0.0275558289f, -0.0879291594f, 0.148851559f, -0.0455090925f
        },
        weights.get("logits/dense_1/bias"));
    assertArrayEquals(
        new float[] {0.0749436542f, -0.0255035423f, -0.00126565248f},
        java.util.Arrays.copyOfRange(
            weights.get("logits/dense/kernel"), 783 * 128 + 125, 784 * 128));

    float[] expected;
    try (WeightSource keras = WeightSource.open(mnistH5())) {
      expected =
          forward(
              pixels,
              keras.readFloats("dense_6/kernel"),
              keras.readFloats("dense_6/bias"),
              keras.readFloats("dense_7/kernel"),
              keras.readFloats("dense_7/bias"));
    }
    assertArrayEquals(expected, predicted, 1e-5f);

    assertEquals(1, logged.size(), logged.toString());
    String report = logged.get(0).getMessage();
    String parameters = java.util.Arrays.toString(logged.get(0).getParameters());
    assertEquals("{0}: {1}", report);
    assertTrue(parameters.contains("Mnist"), parameters);
    assertTrue(parameters.contains("4 variables, 101770 values"), parameters);
    assertTrue(
        parameters.matches(
            "(?s).*logits/dense/kernel float32 \\[784, 128\\] +<- dense_6/kernel\n.*"),
        parameters);
  }

  /** {@code relu(x W1 + b1) W2 + b2}, in plain Java. */
  private static float[] forward(float[] x, float[] w1, float[] b1, float[] w2, float[] b2) {
    int examples = x.length / 784;
    float[] out = new float[examples * 10];
    for (int e = 0; e < examples; e++) {
      float[] hidden = new float[128];
      for (int j = 0; j < 128; j++) {
        double sum = b1[j];
        for (int i = 0; i < 784; i++) {
          sum += x[e * 784 + i] * w1[i * 128 + j];
        }
        hidden[j] = (float) Math.max(0, sum);
      }
      for (int k = 0; k < 10; k++) {
        double sum = b2[k];
        for (int j = 0; j < 128; j++) {
          sum += hidden[j] * w2[j * 10 + k];
        }
        out[e * 10 + k] = (float) sum;
      }
    }
    return out;
  }

  @Test
  void aMismatchIsReportedBeforeAnySessionOpens() {
    int sessions = NativeResources.openSessions();
    WeightMappingException error =
        assertThrows(
            WeightMappingException.class,
            () -> mlp(LoopOptions.builder().initialWeights(kerasMlp()).build(), 64));
    assertEquals(sessions, NativeResources.openSessions());
    assertEquals(
        List.of(
            "shape: variable logits/dense/kernel float32 [784, 64] has shape [784, 64], but source"
                + " entry dense_6/kernel float32 [784, 128] has shape [784, 128]",
            "shape: variable logits/dense/bias float32 [64] has shape [64], but source entry"
                + " dense_6/bias float32 [128] has shape [128]",
            "shape: variable logits/dense_1/kernel float32 [64, 10] has shape [64, 10], but source"
                + " entry dense_7/kernel float32 [128, 10] has shape [128, 10]"),
        error.problems());
  }

  @Test
  void onlyTheChiefReadsTheWeights() {
    InitialWeights missing = InitialWeights.from(Path.of("no-such-weights.h5"));
    Cluster cluster =
        Cluster.of(List.of("localhost:1"), List.of("localhost:2", "localhost:3"), "worker", 1);
    LoopBuilder worker = declare(LoopOptions.builder().cluster(cluster).initialWeights(missing));
    try {
      LoopGraph graph = worker.build();
      assertNull(graph.initialWeights(), "a worker other than the chief loads nothing");
    } finally {
      worker.abort();
    }
    LoopBuilder chief =
        declare(
            LoopOptions.builder().cluster(cluster.forTask("worker", 0)).initialWeights(missing));
    try {
      WeightFileException error = assertThrows(WeightFileException.class, chief::build);
      assertEquals(Path.of("no-such-weights.h5"), error.file());
    } finally {
      chief.abort();
    }
  }

  private static LoopBuilder declare(LoopOptions.Builder options) {
    LoopBuilder loop = LoopBuilder.create("Curve", 8, 11L, options.build());
    Operand<TFloat32> x = loop.input(Regression.X, TFloat32.class);
    Operand<TFloat32> y = loop.input(Regression.Y, TFloat32.class);
    Layers nn = loop.layers("curve");
    Operand<TFloat32> prediction = loop.output("curve", nn.dense(x, 1));
    loop.loss("loss", Losses.meanSquaredError(loop.ops(), prediction, y));
    loop.step(
        StepSpec.named("train")
            .minimizing("loss")
            .optimizer(Optimizers.sgd())
            .learningRate(LearningRate.constant(0.1)));
    return loop;
  }

  /**
   * Pretrained weights from a checkpoint directory a fit wrote; a fit from them, checkpointed; and
   * a resume from one of its checkpoints, which must end with the same weights: the checkpoint is
   * restored after the initial weights are loaded.
   */
  @Test
  void aResumedCheckpointWinsOverTheInitialWeights(@TempDir Path root) throws IOException {
    Dataset train = Regression.data(100, 3);
    Path pretrained = root.resolve("pretrained");
    float[] pretrainedWeights;
    try (Trainer loop =
        Regression.adam(
            LoopOptions.builder()
                .intraOpThreads(1)
                .checkpoints(CheckpointPolicy.in(pretrained))
                .build(),
            0.05)) {
      loop.fit(train, null);
      pretrainedWeights = Regression.weights(loop);
    }
    LoopOptions.Builder options =
        LoopOptions.builder()
            .epochs(3)
            .intraOpThreads(1)
            .interOpThreads(1)
            .initialWeights(InitialWeights.from(pretrained));
    Path all = root.resolve("all");
    float[] uninterrupted;
    try (Trainer loop =
        Regression.adam(
            options.checkpoints(CheckpointPolicy.in(all).everySteps(5).keepLast(100)).build(),
            0.01)) {
      assertArrayEquals(pretrainedWeights, Regression.weights(loop), 0f, "loaded as written");
      loop.fit(train, null);
      uninterrupted = Regression.weights(loop);
    }
    List<Path> checkpoints = CheckpointStore.open(all).checkpoints();
    Path middle = checkpoints.get(checkpoints.size() / 2);
    Path alone = root.resolve("alone");
    copy(middle, alone.resolve(middle.getFileName()));
    try (Trainer loop =
        Regression.adam(options.checkpoints(CheckpointPolicy.in(alone)).build(), 0.01)) {
      loop.resume(train, null);
      assertArrayEquals(uninterrupted, Regression.weights(loop), 0f, "resumed from " + middle);
    }
    assertNotEquals(0, uninterrupted.length);
  }

  @Test
  void aCheckpointDirectoryGivesItsNewestCheckpointThatVerifies(@TempDir Path root)
      throws IOException {
    Path dir = root.resolve("checkpoints");
    try (Trainer loop =
        Regression.adam(
            LoopOptions.builder()
                .checkpoints(CheckpointPolicy.in(dir).everySteps(5).keepLast(10))
                .build(),
            0.05)) {
      loop.fit(Regression.data(100, 3), null);
    }
    List<Path> checkpoints = CheckpointStore.open(dir).checkpoints();
    Path newest = checkpoints.get(checkpoints.size() - 1);
    Path older = checkpoints.get(checkpoints.size() - 2);
    Path data = newest.resolve("variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= (byte) 0xff;
    Files.write(data, bytes); // no longer matches its manifest: resume would skip it too
    float[] expected;
    try (WeightSource source = WeightSource.open(dir)) {
      assertTrue(source.description().contains(older.toString()), source.description());
      expected = source.readFloats("curve/dense/kernel");
    }
    try (Trainer loop =
        Regression.adam(
            LoopOptions.builder().initialWeights(InitialWeights.from(dir)).build(), 0.05)) {
      assertArrayEquals(expected, loop.trainableWeights().get("curve/dense/kernel"), 0f);
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
