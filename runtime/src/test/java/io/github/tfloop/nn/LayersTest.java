package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Layers in a graph of their own: values computed by TensorFlow, checked here. */
class LayersTest {

  private Graph graph;
  private Ops tf;
  private VariableStore store;
  private PlaceholderWithDefault<TBool> training;
  private PlaceholderWithDefault<TInt64> step;
  private Session session;

  @BeforeEach
  void graph() {
    graph = new Graph();
    tf = Ops.create(graph);
    store = new VariableStore(tf);
    training = tf.placeholderWithDefault(tf.constant(false), Shape.scalar());
    step = tf.placeholderWithDefault(tf.constant(0L), Shape.scalar());
  }

  @AfterEach
  void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  private Layers layers(String model) {
    return new Layers(tf.withSubScope(model), store, model, training, step, 42);
  }

  private Session session() {
    if (session == null) {
      session = new Session(graph);
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());
    }
    return session;
  }

  /** Evaluates {@code value}, feeding the training flag and the step. */
  private float[] eval(Operand<TFloat32> value, boolean isTraining, long stepNumber) {
    try (TBool flag = TBool.scalarOf(isTraining);
        TInt64 number = TInt64.scalarOf(stepNumber);
        Result result =
            session().runner().feed(training, flag).feed(step, number).fetch(value).run()) {
      return floats((TFloat32) result.get(0));
    }
  }

  private static float[] floats(TFloat32 tensor) {
    float[] values = new float[(int) tensor.size()];
    tensor.asRawTensor().data().asFloats().read(values);
    return values;
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float value : values) {
      sum += value;
    }
    return sum / values.length;
  }

  private static double stddev(float[] values) {
    double mean = mean(values);
    double sum = 0;
    for (float value : values) {
      sum += (value - mean) * (value - mean);
    }
    return Math.sqrt(sum / values.length);
  }

  private Operand<TFloat32> constant(float[] values, long... shape) {
    return tf.reshape(tf.constant(values), tf.constant(shape));
  }

  @Test
  void heNormalKernelsHaveTheVarianceOfTheirFanIn() {
    Operand<TFloat32> kernel =
        layers("m").variable("kernel", Shape.of(784, 256), TFloat32.class, Initializer.heNormal());
    float[] values = eval(kernel, false, 0);
    assertEquals(0, mean(values), 0.002);
    assertEquals(Math.sqrt(2.0 / 784), stddev(values), Math.sqrt(2.0 / 784) * 0.02);
    double limit = 2 * Math.sqrt(2.0 / 784) / 0.87962566103423978;
    for (float value : values) {
      assertTrue(Math.abs(value) <= limit * 1.0001, "truncated at two deviations: " + value);
    }
  }

  @Test
  void glorotUniformKernelsStayWithinTheirLimit() {
    Operand<TFloat32> kernel =
        layers("m")
            .variable("kernel", Shape.of(300, 100), TFloat32.class, Initializer.glorotUniform());
    float[] values = eval(kernel, false, 0);
    double limit = Math.sqrt(6.0 / (300 + 100));
    for (float value : values) {
      assertTrue(Math.abs(value) <= limit, value + " beyond " + limit);
    }
    assertEquals(limit / Math.sqrt(3), stddev(values), limit / Math.sqrt(3) * 0.02);
  }

  @Test
  void everyInitializerHasItsDistribution() {
    Layers nn = layers("m");
    Shape shape = Shape.of(400, 200);
    double fanIn = 400;
    double fanAverage = 300;
    Operand<TFloat32> heUniformKernel =
        nn.variable("a", shape, TFloat32.class, Initializer.heUniform());
    Operand<TFloat32> glorotNormalKernel =
        nn.variable("b", shape, TFloat32.class, Initializer.glorotNormal());
    Operand<TFloat32> truncatedKernel =
        nn.variable("c", shape, TFloat32.class, Initializer.truncatedNormal(0.5));
    Operand<TFloat32> zerosVector =
        nn.variable("d", Shape.of(3), TFloat32.class, Initializer.zeros());
    Operand<TFloat32> onesVector =
        nn.variable("e", Shape.of(3), TFloat32.class, Initializer.ones());

    float[] heUniform = eval(heUniformKernel, false, 0);
    assertEquals(0, mean(heUniform), 0.003);
    assertEquals(Math.sqrt(2 / fanIn), stddev(heUniform), Math.sqrt(2 / fanIn) * 0.03);
    // normal ones are truncated at two deviations, which the scale makes up for
    float[] glorotNormal = eval(glorotNormalKernel, false, 0);
    assertEquals(0, mean(glorotNormal), 0.003);
    assertEquals(Math.sqrt(1 / fanAverage), stddev(glorotNormal), Math.sqrt(1 / fanAverage) * 0.03);
    // a plain truncated normal keeps its scale, so truncation shrinks its deviation to 0.8796 of it
    float[] truncated = eval(truncatedKernel, false, 0);
    assertEquals(0.5 * 0.87962566, stddev(truncated), 0.5 * 0.03);
    for (float value : truncated) {
      assertTrue(Math.abs(value) <= 1.0, "truncated at two deviations: " + value);
    }
    assertArrayEquals(new float[3], eval(zerosVector, false, 0), 0f);
    assertArrayEquals(new float[] {1, 1, 1}, eval(onesVector, false, 0), 0f);
  }

  @Test
  void buildingAModelTwiceSharesItsVariables() {
    Operand<TFloat32> x = constant(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Operand<TFloat32> first = layers("critic").dense(x, 4, Activation.RELU);
    int variables = store.all().size();
    Operand<TFloat32> second = layers("critic").dense(x, 4, Activation.RELU);
    assertEquals(variables, store.all().size(), "no new variables on the second build");
    assertArrayEquals(eval(first, false, 0), eval(second, false, 0), 0f);
    layers("other").dense(x, 4);
    assertEquals(variables + 2, store.all().size(), "another model has its own kernel and bias");
  }

  @Test
  void aVariableNameUsedTwiceInOneBuildIsAnError() {
    Layers nn = layers("m");
    nn.variable("w", Shape.of(2), TFloat32.class, Initializer.zeros());
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> nn.variable("w", Shape.of(2), TFloat32.class, Initializer.zeros()));
    assertEquals(
        "model 'm' creates the variable 'w' twice; names must be unique", error.getMessage());
  }

  @Test
  void denseExplainsThatItsInputMustBeFlat() {
    Operand<TFloat32> image = constant(new float[8], 2, 2, 2);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> layers("m").dense(image, 3));
    assertEquals(
        "dense: the input must be [batch, features] with known features, got [2, 2, 2];"
            + " flatten it first with flatten(x)",
        error.getMessage());
  }

  @Test
  void dropoutDropsAtItsRateWhileTrainingOnly() {
    float[] ones = new float[20000];
    java.util.Arrays.fill(ones, 1f);
    Operand<TFloat32> dropped = layers("m").dropout(constant(ones, 100, 200), 0.25);
    float[] trained = eval(dropped, true, 7);
    int zeros = 0;
    for (float value : trained) {
      if (value == 0) {
        zeros++;
      } else {
        assertEquals(1 / 0.75f, value, 1e-6f, "kept values are scaled up");
      }
    }
    assertEquals(0.25, zeros / 20000.0, 0.015);
    assertArrayEquals(trained, eval(dropped, true, 7), 0f, "the same batch gets the same mask");
    assertNotEquals(zeros, count0(eval(dropped, true, 8)), "another batch gets another mask");
    assertArrayEquals(ones, eval(dropped, false, 7), 0f, "identity when not training");
  }

  private static int count0(float[] values) {
    int zeros = 0;
    for (float value : values) {
      zeros += value == 0 ? 1 : 0;
    }
    return zeros;
  }

  @Test
  void batchNormUsesBatchStatisticsWhileTrainingAndMovingAveragesOtherwise() {
    SplittableRandom random = new SplittableRandom(3);
    float[] values = new float[64 * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextGaussian() * (1 + i % 3) + 5 * (i % 3));
    }
    Operand<TFloat32> x = constant(values, 64, 3);
    Operand<TFloat32> normalised = layers("m").batchNorm(x);
    float[] trained = eval(normalised, true, 0);
    for (int feature = 0; feature < 3; feature++) {
      float[] column = column(trained, feature, 3);
      assertEquals(0, mean(column), 1e-5, "feature " + feature + " mean");
      double variance = stddev(column) * stddev(column);
      double expected = batchVariance(values, feature) / (batchVariance(values, feature) + 1e-3);
      assertEquals(expected, variance, 1e-4, "feature " + feature + " variance");
    }
    // Before any update the moving averages are 0 and 1: inference is x / sqrt(1 + eps).
    float[] inferred = eval(normalised, false, 0);
    assertEquals(values[4] / Math.sqrt(1 + 1e-3), inferred[4], 1e-5);
    // One update moves the averages 1% of the way to the batch's statistics.
    List<Op> updates = store.updates(List.of("m"));
    assertEquals(2, updates.size());
    session().runner().addTarget(updates.get(0)).addTarget(updates.get(1)).run().close();
    double mean1 = mean(column(values, 1, 3));
    double movingMean = 0.01 * mean1;
    double movingVariance = 0.99 + 0.01 * batchVariance(values, 1);
    assertEquals(
        (values[4] - movingMean) / Math.sqrt(movingVariance + 1e-3),
        eval(normalised, false, 0)[4],
        1e-4);
    assertEquals(Kind.MODEL_STATE, store.find("m/batch_norm/moving_mean").kind());
  }

  private static double batchVariance(float[] values, int feature) {
    double deviation = stddev(column(values, feature, 3));
    return deviation * deviation;
  }

  private static float[] column(float[] values, int feature, int features) {
    float[] column = new float[values.length / features];
    for (int i = 0; i < column.length; i++) {
      column[i] = values[i * features + feature];
    }
    return column;
  }

  @Test
  void randomFlipMirrorsSomeImagesWhileTrainingOnly() {
    int batch = 64;
    float[] images = new float[batch * 2 * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = i;
    }
    Operand<TFloat32> flipped = layers("m").randomFlipHorizontal(constant(images, batch, 2, 3, 1));
    float[] trained = eval(flipped, true, 1);
    int mirrored = 0;
    for (int b = 0; b < batch; b++) {
      boolean same = true;
      boolean mirror = true;
      for (int row = 0; row < 2; row++) {
        for (int col = 0; col < 3; col++) {
          float out = trained[b * 6 + row * 3 + col];
          same &= out == images[b * 6 + row * 3 + col];
          mirror &= out == images[b * 6 + row * 3 + (2 - col)];
        }
      }
      assertTrue(same || mirror, "image " + b + " is either kept or mirrored");
      mirrored += mirror ? 1 : 0;
    }
    assertTrue(mirrored > 16 && mirrored < 48, mirrored + " of 64 mirrored");
    assertArrayEquals(images, eval(flipped, false, 1), 0f);
  }

  @Test
  void randomTranslationShiftsEachImageByWholePixels() {
    int batch = 16;
    int side = 8;
    float[] images = new float[batch * side * side];
    for (int i = 0; i < images.length; i++) {
      images[i] = 1 + i % (side * side);
    }
    Operand<TFloat32> shifted =
        layers("m").randomTranslation(constant(images, batch, side, side, 1), 0.25);
    float[] trained = eval(shifted, true, 3);
    int moved = 0;
    for (int b = 0; b < batch; b++) {
      int[] shift = findShift(images, trained, b, side);
      assertTrue(shift != null, "image " + b + " is a whole-pixel shift of its input");
      assertTrue(Math.abs(shift[0]) <= 2 && Math.abs(shift[1]) <= 2, "within a quarter of 8 px");
      moved += shift[0] != 0 || shift[1] != 0 ? 1 : 0;
    }
    assertTrue(moved > 8, moved + " of 16 images moved");
    assertArrayEquals(images, eval(shifted, false, 3), 0f);
  }

  /** The (dy, dx) such that output(y, x) = input(y - dy, x - dx), zero outside, or null. */
  private static int[] findShift(float[] input, float[] output, int b, int side) {
    for (int dy = -2; dy <= 2; dy++) {
      for (int dx = -2; dx <= 2; dx++) {
        boolean matches = true;
        for (int y = 0; y < side && matches; y++) {
          for (int x = 0; x < side && matches; x++) {
            int sy = y - dy;
            int sx = x - dx;
            float expected =
                sy < 0 || sy >= side || sx < 0 || sx >= side
                    ? 0
                    : input[b * side * side + sy * side + sx];
            matches = output[b * side * side + y * side + x] == expected;
          }
        }
        if (matches) {
          return new int[] {dy, dx};
        }
      }
    }
    return null;
  }

  @Test
  void regularizersBuildOnlyTheirNonZeroTerms() {
    Operand<TFloat32> w = constant(new float[] {1, -2, 3, -4}, 2, 2);
    assertEquals(0.1 * 10, eval(Regularizer.l1(0.1).penalty(tf, w), false, 0)[0], 1e-6);
    assertEquals(0, opsOfType("Square"));
    assertEquals(0.01 * 30, eval(Regularizer.l2(0.01).penalty(tf, w), false, 0)[0], 1e-6);
    assertEquals(1, opsOfType("Abs"));
    assertEquals(
        0.1 * 10 + 0.01 * 30, eval(Regularizer.l1l2(0.1, 0.01).penalty(tf, w), false, 0)[0], 1e-6);
    assertEquals(0, eval(Regularizer.l1l2(0, 0).penalty(tf, w), false, 0)[0]);
  }

  private int opsOfType(String type) {
    int count = 0;
    for (var operations = graph.operations(); operations.hasNext(); ) {
      count += operations.next().type().equals(type) ? 1 : 0;
    }
    return count;
  }

  @Test
  void kernelRegularizerAddsItsPenaltyOnce() {
    Layers nn = layers("m").kernelRegularizer(Regularizer.l1l2(0.01, 0.1));
    Operand<TFloat32> x = constant(new float[] {1, 2}, 1, 2);
    nn.dense(x, 3, Activation.LINEAR, Initializer.constant(0.5));
    layers("m")
        .kernelRegularizer(Regularizer.l1l2(0.01, 0.1))
        .dense(x, 3, Activation.LINEAR, Initializer.constant(0.5)); // shared: no second penalty
    List<Operand<TFloat32>> penalties = store.penalties(List.of("m"));
    assertEquals(1, penalties.size());
    // kernel 2x3 of 0.5: l1 * 6 * 0.5 + l2 * 6 * 0.25
    assertEquals(0.01 * 3 + 0.1 * 1.5, eval(penalties.get(0), false, 0)[0], 1e-6);
    assertEquals(List.of(), store.penalties(List.of("other")));
  }
}
