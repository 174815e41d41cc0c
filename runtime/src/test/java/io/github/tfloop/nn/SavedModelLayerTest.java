package io.github.tfloop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.gradients.MissingGradients;
import io.github.tfloop.graph.VariableStore;
import io.github.tfloop.graph.VariableStore.Kind;
import io.github.tfloop.graph.VariableStore.Variable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * A SavedModel as a layer: the TensorFlow 1 and 2 {@code half_plus_two} fixtures ({@code y = a x +
 * b}, a = 0.5, b = 2) and SavedModels TensorFlow Java writes, imported into a graph, restored, run,
 * and differentiated.
 */
class SavedModelLayerTest {

  static Path fixture(String name) {
    try {
      return Path.of(SavedModelLayerTest.class.getResource("/fixtures/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A graph, a session, and layers of the model {@code m} over a store. */
  private static final class Bench implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session = new Session(graph);
    final Ops tf = Ops.create(graph);
    final VariableStore store = new VariableStore(tf);
    final Layers nn =
        new Layers(tf.withSubScope("m"), store, "m", tf.constant(true), tf.constant(0L), 1);
    final Placeholder<TFloat32> x =
        tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));

    Bench() {
      MissingGradients.register();
    }

    /** The input as each fixture's signature takes it: TensorFlow 2's is a vector. */
    Operand<TFloat32> input(String fixture) {
      return fixture.endsWith("tf2") ? tf.reshape(x, tf.constant(new long[] {-1})) : x;
    }

    void initialize() {
      List<Op> initializers = new ArrayList<>();
      store.all().forEach(variable -> initializers.add(variable.initializer()));
      session.run(tf.withControlDependencies(initializers).noOp());
    }

    /** Each fetch's values, flat, with {@code x} fed {@code values} as a column. */
    List<float[]> run(float[] values, Operand<?>... fetches) {
      try (TFloat32 fed =
          TFloat32.tensorOf(
              Shape.of(values.length, 1),
              data -> data.asRawTensor().data().asFloats().write(values))) {
        Session.Runner runner = session.runner().feed(x, fed);
        for (Operand<?> fetch : fetches) {
          runner.fetch(fetch);
        }
        List<float[]> results = new ArrayList<>();
        try (Result result = runner.run()) {
          for (int i = 0; i < fetches.length; i++) {
            var floats = result.get(i).asRawTensor().data().asFloats();
            float[] copy = new float[(int) floats.size()];
            floats.read(copy);
            results.add(copy);
          }
        }
        return results;
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"half_plus_two_tf1", "half_plus_two_tf2"})
  void importsRestoresRunsAndDifferentiates(String fixture) {
    try (Bench bench = new Bench()) {
      SavedModelLayer layer = bench.nn.savedModel(fixture(fixture));
      Operand<TFloat32> y = layer.apply(bench.input(fixture));
      assertEquals("m/saved_model", layer.name());
      Variable<?> a = bench.store.find("m/saved_model/a");
      Variable<?> b = bench.store.find("m/saved_model/b");
      assertEquals(2, bench.store.all().size(), bench.store.all().toString());
      for (Variable<?> variable : List.of(a, b)) {
        assertEquals(Kind.TRAINABLE, variable.kind());
        assertEquals("m", variable.group());
        assertFalse(variable.frozen());
      }
      bench.initialize();
      var gradients =
          bench.tf.gradients(
              bench.tf.reduceSum(y, bench.tf.constant(0)), List.of(a.read(), b.read(), bench.x));
      List<float[]> values =
          bench.run(
              new float[] {3, -1},
              y,
              a.read(),
              b.read(),
              gradients.dy(0),
              gradients.dy(1),
              gradients.dy(2));
      assertArrayEquals(new float[] {3.5f, 1.5f}, values.get(0)); // 0.5 x + 2
      assertArrayEquals(new float[] {0.5f}, values.get(1)); // restored from the SavedModel
      assertArrayEquals(new float[] {2f}, values.get(2));
      assertArrayEquals(new float[] {3 + -1}, values.get(3)); // dy/da summed over the batch
      assertArrayEquals(new float[] {2}, values.get(4)); // dy/db
      assertArrayEquals(new float[] {0.5f, 0.5f}, values.get(5)); // dy/dx
    }
  }

  @Test
  void aFrozenLayersVariablesAreNotTrainedButStillComputed() {
    try (Bench bench = new Bench()) {
      Operand<TFloat32> y =
          bench
              .nn
              .savedModel(fixture("half_plus_two_tf2"))
              .trainable(false)
              .apply(bench.input("tf2"));
      assertTrue(bench.store.find("m/saved_model/a").frozen());
      assertTrue(bench.store.find("m/saved_model/b").frozen());
      assertEquals(List.of(), bench.store.trainable(List.of()));
      bench.initialize();
      assertArrayEquals(new float[] {2.5f}, bench.run(new float[] {1}, y).get(0));
    }
  }

  @Test
  void aLayerBuiltWhileTheLayersAreFrozenIsFrozen() {
    try (Bench bench = new Bench()) {
      bench.nn.trainable(false);
      bench.nn.savedModel(fixture("half_plus_two_tf1")).apply(bench.x);
      assertTrue(bench.store.find("m/saved_model/a").frozen());
    }
  }

  @Test
  void appliedTwiceItImportsTwiceOverTheSameVariables() {
    try (Bench bench = new Bench()) {
      SavedModelLayer layer = bench.nn.savedModel(fixture("half_plus_two_tf1"));
      Operand<TFloat32> once = layer.apply(bench.x);
      Operand<TFloat32> twice = layer.apply(bench.tf.math.mul(bench.x, bench.tf.constant(2f)));
      assertEquals(2, bench.store.all().size());
      assertTrue(once.op().name().startsWith("m/saved_model/graph/"), once.op().name());
      assertTrue(twice.op().name().startsWith("m/saved_model/graph_1/"), twice.op().name());
      bench.initialize();
      List<float[]> values = bench.run(new float[] {4}, once, twice);
      assertArrayEquals(new float[] {4f}, values.get(0));
      assertArrayEquals(new float[] {6f}, values.get(1));
      IllegalStateException late =
          assertThrows(IllegalStateException.class, () -> layer.trainable(false));
      assertEquals(
          "layer m/saved_model is applied already: set trainable before apply", late.getMessage());
    }
  }

  @Test
  void inputsThatDoNotFitAreNamed() {
    try (Bench bench = new Bench()) {
      Path dir = fixture("half_plus_two_tf1");
      String signature = "SavedModel " + dir + ", signature serving_default";
      IllegalArgumentException type =
          assertThrows(
              IllegalArgumentException.class,
              () -> bench.nn.savedModel(dir).apply(bench.tf.constant(new int[][] {{1}})));
      assertEquals(
          signature + ": input x float32 [-1, 1] is given a int32 operand [1, 1]",
          type.getMessage());
      IllegalArgumentException shape =
          assertThrows(
              IllegalArgumentException.class,
              () -> bench.nn.savedModel(dir).apply(bench.tf.constant(new float[] {1, 2})));
      assertEquals(
          signature + ": input x float32 [-1, 1] is given an operand of shape [2]",
          shape.getMessage());
      IllegalArgumentException unknown =
          assertThrows(
              IllegalArgumentException.class,
              () -> bench.nn.savedModel(dir).apply(Map.of("x", bench.x, "z", bench.x)));
      assertEquals(
          signature + " has no inputs [z]; its inputs are [x float32 [-1, 1]]",
          unknown.getMessage());
      assertEquals(0, bench.store.all().size(), "nothing created for refused inputs");
      assertTrue(bench.nn.savedModel(dir).apply(Map.of("x", bench.x)).containsKey("y"));
    }
  }

  /**
   * A SavedModel TensorFlow Java writes, {@code y = cumprod(x · w) + digamma(x · v)} over x [-1,
   * 2], and what it gives for {@code input}: TensorFlow has no gradient for Cumprod nor Digamma.
   */
  private static Path withoutGradients(Path dir) {
    Path exported = dir.resolve("no_gradient");
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
      Operand<TFloat32> w = tf.withName("w").variable(tf.constant(new float[][] {{1, 2}, {3, 4}}));
      Operand<TFloat32> v = tf.withName("v").variable(tf.constant(new float[][] {{2, 0}, {0, 1}}));
      Operand<TFloat32> y =
          tf.withName("y")
              .math
              .add(
                  tf.withName("products").math.cumprod(tf.linalg.matMul(x, w), tf.constant(1)),
                  tf.withName("digamma").math.digamma(tf.linalg.matMul(x, v)));
      session.initialize();
      SavedModelBundle.exporter(exported.toString())
          .withSession(session)
          .withSignature(
              Signature.builder().key("serving_default").input("x", x).output("y", y).build())
          .export();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return exported;
  }

  @Test
  void aTrainableLayerWithoutGradientsFailsNamingTheOpsAndWorksFrozen(@TempDir Path dir) {
    Path saved = withoutGradients(dir);
    try (Bench bench = new Bench()) {
      Operand<TFloat32> input = bench.tf.constant(new float[][] {{1, 2}, {0.5f, 1}});
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class, () -> bench.nn.savedModel(saved).apply(input));
      String message = error.getMessage();
      assertTrue(
          message.startsWith(
              "layer m/saved_model (SavedModel "
                  + saved
                  + ", signature serving_default) cannot be trained: no usable gradient reaches"
                  + " its variables through "),
          message);
      assertTrue(
          message.contains("products (Cumprod): No gradient defined for op: Cumprod"), message);
      assertTrue(
          message.contains("digamma (Digamma): No gradient defined for op: Digamma"), message);
      assertTrue(message.endsWith("Use it frozen: nn.savedModel(...).trainable(false)"), message);

      Operand<TFloat32> y = bench.nn.savedModel(saved).trainable(false).apply(input);
      bench.initialize();
      float[] imported = bench.run(new float[] {0}, y).get(0);
      // The same SavedModel served by TensorFlow itself.
      try (SavedModelBundle bundle = SavedModelBundle.load(saved.toString(), "serve");
          TFloat32 fed =
              TFloat32.tensorOf(
                  org.tensorflow.ndarray.StdArrays.ndCopyOf(new float[][] {{1, 2}, {0.5f, 1}}));
          Result result = bundle.function("serving_default").call(Map.of("x", fed))) {
        Tensor served = result.get("y").orElseThrow();
        float[] expected = new float[4];
        served.asRawTensor().data().asFloats().read(expected);
        assertArrayEquals(expected, imported);
      }
    }
  }
}
