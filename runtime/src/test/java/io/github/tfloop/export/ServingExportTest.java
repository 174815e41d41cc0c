package io.github.tfloop.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.Dataset;
import io.github.tfloop.internal.Augmented;
import io.github.tfloop.internal.Trainer;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;

/**
 * Models whose layers act differently in training (augmentation, batch normalisation, dropout)
 * export a graph that plain TensorFlow Java serves, holding nothing of training.
 */
class ServingExportTest {

  private static final Dataset QUESTIONS = Augmented.data(40, 2);

  @Test
  void augmentationBatchNormAndDropoutServeWhatPredictReturns(@TempDir Path directory)
      throws IOException {
    Path model = directory.resolve("model/1");
    float[] expected;
    try (Trainer loop = Augmented.build(LoopOptions.builder().epochs(2).build())) {
      loop.fit(Augmented.data(128, 1), null);
      expected = loop.predictFloats(QUESTIONS);
      loop.exportSavedModel(model);
    }
    assertArrayEquals(expected, serve(model, QUESTIONS), 0f);

    List<String> ops = new ArrayList<>();
    for (NodeDef node : graphOf(model)) {
      if (node.getName().startsWith("save/")) {
        continue; // what SavedModelBundle.exporter adds to save variables; there are none
      }
      ops.add(node.getOp());
      assertFalse(node.getName().startsWith("global_step"), node.getName());
      assertFalse(node.getName().equals("training"), "the training flag is exported");
      assertFalse(node.getOp().startsWith("StatelessRandom"), node.getName());
    }
    for (String state : List.of("VarHandleOp", "ReadVariableOp", "PlaceholderWithDefault")) {
      assertFalse(ops.contains(state), state + " in " + ops);
    }
    // one placeholder (the image) and the frozen weights; the batch norm's moving averages
    // are what it normalises with
    assertEquals(1, ops.stream().filter("Placeholder"::equals).count(), ops.toString());
  }

  @Test
  void theSameWeightsExportToTheSameBytes(@TempDir Path directory) throws IOException {
    try (Trainer loop = Augmented.build(LoopOptions.builder().epochs(1).build())) {
      loop.fit(Augmented.data(64, 1), null);
      loop.exportSavedModel(directory.resolve("a"));
      loop.exportSavedModel(directory.resolve("b"));
    }
    try (Trainer loop = Augmented.build(LoopOptions.builder().epochs(1).build())) {
      loop.fit(Augmented.data(64, 1), null);
      loop.exportSavedModel(directory.resolve("c"));
    }
    Map<String, String> a = files(directory.resolve("a"));
    assertTrue(a.containsKey("saved_model.pb"), a.toString());
    assertEquals(a, files(directory.resolve("b")));
    assertEquals(a, files(directory.resolve("c")), "another loop trained the same way");
    try (Stream<Path> left = Files.list(directory)) {
      assertEquals(
          Set.of("a", "b", "c"),
          Set.copyOf(left.map(path -> path.getFileName().toString()).toList()),
          "nothing left beside the exports");
    }
  }

  @Test
  void aDirectoryThatCannotBeMadeIsNamed(@TempDir Path directory) throws IOException {
    Path file = Files.writeString(directory.resolve("models"), "a file, not a directory");
    Path model = file.resolve("1");
    try (Trainer loop = Augmented.build(LoopOptions.defaults())) {
      java.io.UncheckedIOException error =
          assertThrows(java.io.UncheckedIOException.class, () -> loop.exportSavedModel(model));
      assertEquals(
          "cannot export a SavedModel to " + model + ": FileAlreadyExistsException " + file,
          error.getMessage());
    }
    assertEquals("a file, not a directory", Files.readString(file));
  }

  @Test
  void aVariableThatIsNotFrozenIsRefusedByName(@TempDir Path directory) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class);
      VarHandleOp counter =
          tf.withName("counter")
              .varHandleOp(TFloat32.class, Shape.scalar(), VarHandleOp.sharedName("counter"));
      Operand<TFloat32> y =
          tf.withName("y")
              .math
              .add(x, tf.withName("counter_read").readVariableOp(counter, TFloat32.class));
      IllegalStateException error =
          assertThrows(
              IllegalStateException.class,
              () ->
                  SavedModelExport.export(
                      graph,
                      Map.of("x", "x"),
                      Map.entry("output", y.op().name()),
                      Map.<String, Tensor>of(),
                      directory.resolve("1")));
      assertEquals(
          "cannot export the model output 'y': it reads the variable 'counter', which is not a"
              + " weight or model state, so the export does not freeze it and a served model would"
              + " fail on it (only what trains may read such a variable: select on"
              + " Layers.training()) (path from the output: y <- counter_read <- counter)",
          error.getMessage());
      assertFalse(Files.exists(directory.resolve("1")));
    }
  }

  static float[] serve(Path model, Dataset questions) {
    float[] images = (float[]) questions.column("image").values();
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModelExport.TAG);
        TFloat32 input =
            TFloat32.tensorOf(Shape.of(questions.size(), 6, 6), DataBuffers.of(images));
        Result result = bundle.function(SavedModelExport.SERVING).call(Map.of("image", input))) {
      TFloat32 logits = (TFloat32) result.get("output").orElseThrow();
      assertEquals(Shape.of(questions.size(), 3), logits.shape());
      float[] actual = new float[questions.size() * 3];
      logits.asRawTensor().data().asFloats().read(actual);
      return actual;
    }
  }

  private static List<NodeDef> graphOf(Path model) throws IOException {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")));
    return saved.getMetaGraphs(0).getGraphDef().getNodeList();
  }

  /** Every file under {@code directory} with its content's hash. */
  private static Map<String, String> files(Path directory) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(file)) {
          files.put(
              directory.relativize(file).toString(),
              java.util.HexFormat.of().formatHex(sha256(Files.readAllBytes(file))));
        }
      }
    }
    return files;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
