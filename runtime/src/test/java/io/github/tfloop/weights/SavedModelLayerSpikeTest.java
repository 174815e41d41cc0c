package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteImportGraphDefOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GraphImportGraphDef;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsAddInputMapping;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ImportGraphDefOptionsSetPrefix;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewImportGraphDefOptions;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * Spike for "a SavedModel as a layer": imports a SavedModel's graph into another graph under a
 * prefix, its signature's input bound to an operand of that graph (the C API's input mapping),
 * restores its variables with {@link WeightAssigner}, runs it and takes gradients through it.
 * TensorFlow 1 graphs work end to end; TensorFlow 2 ones, imported as they are, run but have no
 * gradient (see below): {@link SavedModelGraph} inlines their calls, which fixes that (see its test
 * and {@code nn.SavedModelLayerTest}).
 */
class SavedModelLayerSpikeTest {

  /** The serving MetaGraphDef of the SavedModel in {@code dir}. */
  private static MetaGraphDef serving(Path dir) throws Exception {
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
    for (MetaGraphDef meta : model.getMetaGraphsList()) {
      if (meta.getMetaInfoDef().getTagsList().contains("serve")) {
        return meta;
      }
    }
    throw new AssertionError("no serve tag");
  }

  /**
   * Imports {@code meta}'s graph into {@code graph} under {@code prefix}, with the tensor {@code
   * inputName} (such as {@code x:0}) replaced by {@code input}.
   */
  private static void importWithInput(
      Graph graph, MetaGraphDef meta, String prefix, String inputName, Operand<?> input)
      throws Exception {
    Field handle = Graph.class.getDeclaredField("nativeHandle");
    handle.setAccessible(true);
    TF_Graph nativeGraph = (TF_Graph) handle.get(graph);
    String[] parts = inputName.split(":");
    TF_ImportGraphDefOptions options = TF_NewImportGraphDefOptions();
    TF_Buffer buffer = TF_Buffer.newBufferFromString(meta.getGraphDef());
    TF_Status status = TF_Status.newStatus();
    try {
      TF_ImportGraphDefOptionsSetPrefix(options, prefix);
      TF_Output target =
          new TF_Output()
              .oper(((GraphOperation) input.op()).getUnsafeNativeHandle())
              .index(input.asOutput().index());
      TF_ImportGraphDefOptionsAddInputMapping(
          options, parts[0], Integer.parseInt(parts[1]), target);
      TF_GraphImportGraphDef(nativeGraph, buffer, options, status);
      status.throwExceptionIfNotOK();
    } finally {
      TF_DeleteImportGraphDefOptions(options);
      buffer.delete();
      status.delete();
    }
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> output(Graph graph, String name) {
    String[] parts = name.split(":");
    Output<?> output = graph.operation(parts[0]).output(Integer.parseInt(parts[1]));
    return (Output<TFloat32>) output;
  }

  private static float run(
      Session session, Operand<?> fetch, Placeholder<TFloat32> x, float value) {
    long[] dims = x.shape().asArray();
    java.util.Arrays.fill(dims, 1);
    try (TFloat32 fed =
            TFloat32.tensorOf(
                Shape.of(dims), t -> t.asRawTensor().data().asFloats().setFloat(value, 0));
        Result result = session.runner().feed(x, fed).fetch(fetch).run()) {
      return result.get(0).asRawTensor().data().asFloats().getFloat(0);
    }
  }

  @Test
  void aTensorFlow1SavedModelImportsRunsRestoresAndTrains() throws Exception {
    Path dir = Fixtures.path("half_plus_two_tf1");
    MetaGraphDef meta = serving(dir);
    SignatureDef signature = meta.getSignatureDefOrThrow("serving_default");
    try (Graph graph = new Graph();
        Session session = new Session(graph);
        WeightSource variables = WeightSource.open(dir)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 1)));
      Operand<TFloat32> doubled = tf.math.mul(x, tf.constant(2f)); // the layer's input: 2x
      importWithInput(graph, meta, "half", signature.getInputsOrThrow("x").getName(), doubled);
      Output<TFloat32> y = output(graph, "half/" + signature.getOutputsOrThrow("y").getName());

      // The imported reference variables, restored from the SavedModel's own checkpoint.
      Map<String, Operand<?>> handles =
          Map.of(
              "half/a", graph.operation("half/a").output(0),
              "half/b", graph.operation("half/b").output(0));
      WeightPlan plan =
          WeightMapping.builder()
              .rename(name -> "half/" + name)
              .build()
              .plan(
                  variables,
                  List.of(
                      WeightTarget.of("half/a", TFloat32.class, Shape.scalar()),
                      WeightTarget.of("half/b", TFloat32.class, Shape.scalar())));
      WeightAssigner.assign(session, variables, plan, handles);
      assertEquals(0.5f * 2 * 3 + 2, run(session, y, x, 3f)); // y = a * (2x) + b

      // Gradients through the imported ops (Mul, Add, Identity), to the input and to `a`.
      Output<TFloat32> aRead = output(graph, "half/a/read:0");
      Gradients gradients = tf.gradients(tf.reduceSum(y, tf.constant(0)), List.of(x, aRead));
      assertEquals(0.5f * 2, run(session, gradients.dy(0), x, 3f)); // dy/dx = 2a
      assertEquals(2 * 3f, run(session, gradients.dy(1), x, 3f)); // dy/da = 2x

      // Trainable: a step of gradient descent on the imported variable moves it.
      Operand<TFloat32> aRef = output(graph, "half/a:0");
      @SuppressWarnings("unchecked")
      Operand<TFloat32> gradientOfA = (Operand<TFloat32>) (Operand<?>) gradients.dy(1);
      Operand<TFloat32> step = tf.train.applyGradientDescent(aRef, tf.constant(0.1f), gradientOfA);
      try (TFloat32 fed = TFloat32.tensorOf(Shape.of(1, 1), data -> data.setFloat(3f, 0, 0));
          Result result = session.runner().feed(x, fed).fetch(step).run()) {
        assertEquals(0.5f - 0.1f * 6, ((TFloat32) result.get(0)).getFloat(), 1e-6);
      }
      assertEquals((0.5f - 0.6f) * 6 + 2, run(session, y, x, 3f), 1e-5);
    }
  }

  /**
   * A TensorFlow 2 SavedModel's graph is a call ({@code StatefulPartitionedCall}) of a function of
   * its library, over resource variables. It imports, restores and runs; its gradient builds but
   * fails when run.
   */
  @Test
  void aTensorFlow2SavedModelRunsButItsGradientFailsWhenRun() throws Exception {
    Path dir = Fixtures.path("half_plus_two_tf2");
    MetaGraphDef meta = serving(dir);
    SignatureDef signature = meta.getSignatureDefOrThrow("serving_default");
    try (Graph graph = new Graph();
        Session session = new Session(graph);
        WeightSource variables = WeightSource.open(dir)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1)));
      importWithInput(graph, meta, "half", signature.getInputsOrThrow("x").getName(), x);
      Output<TFloat32> y = output(graph, "half/" + signature.getOutputsOrThrow("y").getName());
      assertEquals("StatefulPartitionedCall", y.op().type());

      // Resource variables, restored by their object-graph names (a, b, c).
      List<WeightTarget> targets = new java.util.ArrayList<>();
      Map<String, Operand<?>> handles = new java.util.HashMap<>();
      for (String name : List.of("a", "b", "c")) {
        GraphOperation op = graph.operation("half/" + name);
        assertNotNull(op, name);
        assertEquals("VarHandleOp", op.type());
        targets.add(WeightTarget.of("half/" + name, TFloat32.class, Shape.scalar()));
        handles.put("half/" + name, op.output(0));
      }
      WeightPlan plan =
          WeightMapping.builder()
              .byFullName()
              .rename(name -> "half/" + name)
              .build()
              .plan(variables, targets);
      WeightAssigner.assign(session, variables, plan, handles);
      assertEquals(0.5f * 3 + 2, run(session, y, x, 3f));

      // The gradient graph builds (a SymbolicGradient of the called function), but cannot run:
      // the function's inputs include the captured variables' resource handles, and the
      // SymbolicGradient's outputs for them are float gradients where resource is declared.
      Gradients toInput = tf.gradients(tf.reduceSum(y, tf.constant(0)), List.of(x));
      assertEquals("SymbolicGradient", toInput.dy(0).op().type());
      org.tensorflow.exceptions.TensorFlowException failure =
          assertThrows(
              org.tensorflow.exceptions.TensorFlowException.class,
              () -> run(session, toInput.dy(0), x, 3f));
      assertTrue(
          failure.getMessage().contains("does not match declared output type resource"),
          failure.getMessage());
    }
  }
}
