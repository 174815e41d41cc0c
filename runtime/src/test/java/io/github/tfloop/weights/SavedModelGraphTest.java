package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.gradients.MissingGradients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Reading one signature of a SavedModel, ready to import: the TensorFlow 1 and 2 {@code
 * half_plus_two} fixtures (see the fixture README), and SavedModels TensorFlow Java writes here.
 */
class SavedModelGraphTest {

  private static List<String> ops(SavedModelGraph graph) {
    return graph.graphDef().getNodeList().stream().map(NodeDef::getOp).toList();
  }

  private static List<String> names(SavedModelGraph graph) {
    return graph.variables().stream().map(SavedModelGraph.Variable::name).toList();
  }

  @Test
  void aTensorFlow1SignatureKeepsWhatItsOutputNeedsWithoutTheVariables() {
    SavedModelGraph graph =
        SavedModelGraph.load(Fixtures.path("half_plus_two_tf1"), "serving_default");

    assertEquals("[x float32 [-1, 1]]", graph.inputs().toString());
    assertEquals("x:0", graph.inputs().get(0).tensor());
    assertEquals("[y float32 [-1, 1]]", graph.outputs().toString());
    // y = a * x + b: the parsing of tf.Example (x is an Identity of ParseExample) and c are left
    // out
    assertEquals(List.of("Identity", "Identity", "Mul", "Add"), ops(graph));
    assertEquals(List.of("a", "b"), names(graph));
    SavedModelGraph.Variable a = graph.variables().get(0);
    assertEquals("a", a.checkpointKey());
    assertEquals(WeightType.FLOAT32, a.type());
    assertEquals(Shape.scalar(), a.shape());
    assertTrue(a.trainable());
    assertEquals(List.of("a:0"), a.valueTensors()); // the VariableV2's output, read by a/read
    assertEquals(List.of(), a.handleTensors());
    assertEquals(
        Fixtures.path("half_plus_two_tf1").resolve("variables").resolve("variables"),
        graph.checkpoint());
    assertEquals(List.of(), graph.calls());
  }

  @Test
  void aTensorFlow2SignatureIsInlinedIntoPlainOpsOverTheVariablesReads() {
    SavedModelGraph graph =
        SavedModelGraph.load(Fixtures.path("half_plus_two_tf2"), "serving_default");

    assertEquals("[x float32 [1]]", graph.inputs().toString());
    assertEquals("serving_default_x:0", graph.inputs().get(0).tensor());
    List<String> ops = ops(graph);
    assertTrue(ops.contains("Mul") && ops.contains("AddV2"), ops.toString());
    for (String gone : List.of("StatefulPartitionedCall", "ReadVariableOp", "VarHandleOp")) {
      assertFalse(ops.contains(gone), gone + " left in " + ops);
    }
    assertEquals(List.of("b", "a"), names(graph));
    for (SavedModelGraph.Variable variable : graph.variables()) {
      // keys of the object-based checkpoint, found through the SavedModel's restore function
      assertEquals(variable.name() + "/.ATTRIBUTES/VARIABLE_VALUE", variable.checkpointKey());
      assertTrue(variable.trainable(), variable.toString());
      assertEquals(1, variable.valueTensors().size(), variable.toString());
      assertTrue(variable.valueTensors().get(0).endsWith("/ReadVariableOp:0"));
    }
    assertEquals(List.of(), graph.calls());
  }

  @Test
  void anotherSignatureReadsItsOwnVariables() {
    SavedModelGraph graph =
        SavedModelGraph.load(Fixtures.path("half_plus_two_tf2"), "regress_x2_to_y3");
    // y3 = a * x2 + c
    assertEquals(List.of("c", "a"), names(graph));
    assertEquals("[inputs float32 [1]]", graph.inputs().toString());
    assertEquals("[outputs float32 [1]]", graph.outputs().toString());
  }

  @Test
  void gradientsReachTheVariablesOfBothFixtures() {
    MissingGradients.register();
    for (String fixture : List.of("half_plus_two_tf1", "half_plus_two_tf2")) {
      SavedModelGraph graph = SavedModelGraph.load(Fixtures.path(fixture), "serving_default");
      assertEquals(List.of(), graph.opsWithoutGradient(List.of("a", "b")), fixture);
    }
  }

  @Test
  void anUnknownSignatureIsNamedWithTheOnesThereAre() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> SavedModelGraph.load(Fixtures.path("half_plus_two_tf2"), "predict"));
    assertEquals(
        "SavedModel "
            + Fixtures.path("half_plus_two_tf2")
            + " has no signature 'predict'; it has [classify_x2_to_y3, classify_x_to_y,"
            + " regress_x2_to_y3, regress_x_to_y, regress_x_to_y2, serving_default]",
        error.getMessage());
  }

  @Test
  void aDirectoryWithoutASavedModelIsNamed(@TempDir Path dir) {
    WeightFileException error =
        assertThrows(WeightFileException.class, () -> SavedModelGraph.load(dir, "x"));
    assertEquals(dir.resolve("saved_model.pb"), error.file());
    assertTrue(error.getMessage().contains("is " + dir + " a SavedModel?"), error.getMessage());
  }

  @Test
  void aVariableWhoseCheckpointEntryIsMissingIsReported(@TempDir Path dir) throws Exception {
    Path copy = Fixtures.copy("half_plus_two_tf1", dir);
    // A checkpoint holding only `a` (written by TensorFlow's SaveV2) in place of the SavedModel's.
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Path prefix = copy.resolve("variables").resolve("variables");
      Files.delete(Path.of(prefix + ".index"));
      Files.delete(Path.of(prefix + ".data-00000-of-00001"));
      session.run(
          tf.train.save(
              tf.constant(prefix.toString()),
              tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(new String[] {"a"})),
              tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(new String[] {""})),
              List.of(tf.constant(0.25f))));
    }
    WeightMappingException error =
        assertThrows(
            WeightMappingException.class, () -> SavedModelGraph.load(copy, "serving_default"));
    assertEquals(1, error.problems().size(), error.getMessage());
    assertTrue(
        error.problems().get(0).startsWith("variable b: its checkpoint entry 'b' is not in"),
        error.getMessage());
  }

  /**
   * A SavedModel TensorFlow Java writes (a TensorFlow 1 graph: {@code VariableV2}s and a saver),
   * computing {@code y = cumprod(x · w) + digamma(x · v)} over an input {@code x} [-1, 2]:
   * TensorFlow has no gradient for {@code Cumprod} nor {@code Digamma}.
   */
  static Path withoutGradients(Path dir) {
    Path exported = dir.resolve("no_gradient");
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
      Operand<TFloat32> w = tf.withName("w").variable(tf.constant(new float[][] {{1, 2}, {3, 4}}));
      Operand<TFloat32> v = tf.withName("v").variable(tf.constant(new float[][] {{1, 0}, {0, 1}}));
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
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return exported;
  }

  @Test
  void everyOpWithoutAGradientIsNamed(@TempDir Path dir) {
    MissingGradients.register();
    SavedModelGraph graph = SavedModelGraph.load(withoutGradients(dir), "serving_default");
    assertEquals(List.of("v", "w"), names(graph).stream().sorted().toList());

    List<String> culprits = graph.opsWithoutGradient(List.of("v", "w"));
    assertEquals(2, culprits.size(), culprits.toString());
    assertTrue(
        culprits.get(0).startsWith("products (Cumprod): No gradient defined for op: Cumprod")
            || culprits.get(1).startsWith("products (Cumprod): No gradient defined for op"),
        culprits.toString());
    assertTrue(
        culprits.stream().anyMatch(c -> c.startsWith("digamma (Digamma): No gradient defined")),
        culprits.toString());
    // Only w's path: digamma is not on it.
    List<String> wOnly = graph.opsWithoutGradient(List.of("w"));
    assertEquals(1, wOnly.size(), wOnly.toString());
    assertTrue(wOnly.get(0).startsWith("products (Cumprod)"), wOnly.toString());
    assertEquals(List.of(), graph.opsWithoutGradient(List.of()));
  }
}
