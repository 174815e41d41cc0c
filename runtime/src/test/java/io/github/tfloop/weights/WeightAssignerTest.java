package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Loads real Keras and TensorFlow weights into a hand-built graph shaped like a tfloop loop's:
 * resource variables named {@code <model>/<layer>/<weight>}, initialised to zeros, then assigned.
 */
class WeightAssignerTest {

  @TempDir Path dir;

  /** A graph with the variables of tfloop's {@code nn.dense(nn.dense(x, 128), 10)} model. */
  private static final class MlpGraph implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session = new Session(graph);
    final Map<String, Operand<?>> handles = new LinkedHashMap<>();
    final Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    final List<WeightTarget> targets = new ArrayList<>();

    MlpGraph() {
      Ops tf = Ops.create(graph);
      List<org.tensorflow.op.Op> inits = new ArrayList<>();
      variable(tf, "logits/dense/kernel", Shape.of(784, 128), inits);
      variable(tf, "logits/dense/bias", Shape.of(128), inits);
      variable(tf, "logits/dense_1/kernel", Shape.of(128, 10), inits);
      variable(tf, "logits/dense_1/bias", Shape.of(10), inits);
      session.run(tf.withControlDependencies(inits).noOp());
    }

    private void variable(Ops tf, String name, Shape shape, List<org.tensorflow.op.Op> inits) {
      Operand<?> handle = tf.varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(name));
      inits.add(tf.assignVariableOp(handle, tf.zeros(tf.constant(shape), TFloat32.class)));
      handles.put(name, handle);
      reads.put(name, tf.readVariableOp(handle, TFloat32.class));
      targets.add(WeightTarget.of(name, TFloat32.class, shape));
    }

    float[] value(String name) {
      try (Result result = session.runner().fetch(reads.get(name)).run()) {
        TFloat32 tensor = (TFloat32) result.get(0);
        float[] values = new float[(int) tensor.size()];
        tensor.asRawTensor().data().asFloats().read(values);
        return values;
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  private static final WeightMapping KERAS_MLP =
      WeightMapping.builder()
          .renamePrefix("dense_6/", "logits/dense/")
          .renamePrefix("dense_7/", "logits/dense_1/")
          .build();

  private static void assertLoaded(MlpGraph mlp, WeightSource source) {
    for (String name : mlp.reads.keySet()) {
      String entry =
          name.replace("logits/dense_1/", "dense_7/").replace("logits/dense/", "dense_6/");
      assertArrayEquals(source.readFloats(entry), mlp.value(name), name);
    }
    // And one value as the HDF5 library's h5dump reads it.
    assertEquals(-0.0455090925f, mlp.value("logits/dense_1/bias")[9]);
  }

  @Test
  void loadsAKeras2ModelIntoResourceVariables() {
    Path file = Fixtures.path("keras2_mnist_mlp/mnist.h5");
    InitialWeights pretrained = InitialWeights.from(file, KERAS_MLP);
    try (MlpGraph mlp = new MlpGraph();
        WeightSource source = WeightSource.open(file)) {
      WeightPlan plan = pretrained.plan(mlp.targets);
      assertArrayEquals(new float[10], mlp.value("logits/dense_1/bias"));
      pretrained.load(mlp.session, plan, mlp.handles);
      assertLoaded(mlp, source);
    }
  }

  @Test
  void loadsInSeveralRunsWhenValuesExceedABatch() {
    Path file = Fixtures.path("keras2_mnist_mlp/mnist.h5");
    try (MlpGraph mlp = new MlpGraph();
        WeightSource source = WeightSource.open(file)) {
      WeightPlan plan = KERAS_MLP.plan(source, mlp.targets);
      WeightAssigner.assign(mlp.session, source, plan, mlp.handles, 1);
      assertLoaded(mlp, source);
    }
  }

  @Test
  void loadsIntoReferenceVariablesOfATensorFlow1Graph() {
    try (Graph graph = new Graph();
        Session session = new Session(graph);
        WeightSource source = WeightSource.open(Fixtures.path("half_plus_two_tf1"))) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> a = tf.withName("a").variable(Shape.scalar(), TFloat32.class);
      Variable<TFloat32> b = tf.withName("b").variable(Shape.scalar(), TFloat32.class);
      Operand<TFloat32> y =
          tf.math.add(tf.math.mul(tf.identity(a), tf.constant(4f)), tf.identity(b));
      WeightPlan plan =
          WeightMapping.builder()
              .strict()
              .skip(name -> name.equals("c"))
              .build()
              .plan(
                  source,
                  List.of(
                      WeightTarget.of("a", TFloat32.class, Shape.scalar()),
                      WeightTarget.of("b", TFloat32.class, Shape.scalar())));
      WeightAssigner.assign(session, source, plan, Map.of("a", a, "b", b));
      try (Result result = session.runner().fetch(y).run()) {
        assertEquals(4f, ((TFloat32) result.get(0)).getFloat()); // half of 4, plus two
      }
    }
  }

  @Test
  void aPlannedVariableWithoutAHandleIsNamed() {
    try (MlpGraph mlp = new MlpGraph();
        WeightSource source = WeightSource.open(Fixtures.path("keras2_mnist_mlp/mnist.h5"))) {
      WeightPlan plan = KERAS_MLP.plan(source, mlp.targets);
      Map<String, Operand<?>> some = new LinkedHashMap<>(mlp.handles);
      some.remove("logits/dense/bias");
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> WeightAssigner.assign(mlp.session, source, plan, some));
      assertEquals(
          "the plan loads variables no handle was given for: [logits/dense/bias]", e.getMessage());
    }
  }

  @Test
  void aCorruptValueFailsTheLoadNamingFileAndEntry() throws Exception {
    Path copy = Fixtures.copy("half_plus_two_tf1", dir);
    Fixtures.flipByte(copy.resolve("variables").resolve("variables.data-00000-of-00001"), 1);
    try (Graph graph = new Graph();
        Session session = new Session(graph);
        WeightSource source = WeightSource.open(copy)) {
      Ops tf = Ops.create(graph);
      Operand<?> a = tf.varHandleOp(TFloat32.class, Shape.scalar(), VarHandleOp.sharedName("a"));
      WeightPlan plan =
          WeightMapping.builder()
              .skip(name -> !name.equals("a"))
              .build()
              .plan(source, List.of(WeightTarget.of("a", TFloat32.class, Shape.scalar())));
      WeightFileException e =
          assertThrows(
              WeightFileException.class,
              () -> WeightAssigner.assign(session, source, plan, Map.of("a", a)));
      assertTrue(e.getMessage().contains("checksum mismatch for entry 'a'"), e.getMessage());
    }
  }
}
