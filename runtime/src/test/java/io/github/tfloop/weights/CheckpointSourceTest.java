package io.github.tfloop.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

class CheckpointSourceTest {

  @TempDir Path dir;

  private static List<String> names(WeightSource source) {
    return source.entries().stream().map(WeightEntry::name).toList();
  }

  @Test
  void readsTensorFlow1HalfPlusTwo() {
    try (WeightSource source = WeightSource.open(Fixtures.path("half_plus_two_tf1"))) {
      assertEquals(List.of("a", "b", "c"), names(source));
      for (WeightEntry entry : source.entries()) {
        assertEquals(WeightType.FLOAT32, entry.type());
        assertEquals(Shape.scalar(), entry.shape());
      }
      assertArrayEquals(new float[] {0.5f}, source.readFloats("a"));
      assertArrayEquals(new float[] {2.0f}, source.readFloats("b"));
      assertArrayEquals(new float[] {3.0f}, source.readFloats("c"));
      assertTrue(source.description().endsWith("half_plus_two_tf1/variables/variables"));
    }
  }

  @Test
  void readsTensorFlow2ObjectBasedCheckpointWithSnappyIndex() {
    try (WeightSource source = WeightSource.checkpoint(Fixtures.path("half_plus_two_tf2"))) {
      assertEquals(
          List.of(
              "a/.ATTRIBUTES/VARIABLE_VALUE",
              "b/.ATTRIBUTES/VARIABLE_VALUE",
              "c/.ATTRIBUTES/VARIABLE_VALUE"),
          names(source));
      assertEquals(
          List.of("a", "b", "c"), source.entries().stream().map(WeightEntry::fullName).toList());
      assertNull(source.entry(CheckpointSource.OBJECT_GRAPH_KEY));
      assertArrayEquals(new float[] {0.5f}, source.readFloats("a/.ATTRIBUTES/VARIABLE_VALUE"));
      assertArrayEquals(new float[] {2.0f}, source.readFloats("b/.ATTRIBUTES/VARIABLE_VALUE"));
      assertArrayEquals(new float[] {3.0f}, source.readFloats("c/.ATTRIBUTES/VARIABLE_VALUE"));
    }
  }

  @Test
  void opensByPrefixIndexFileDataFileAndCheckpointStateFile() throws Exception {
    Path prefix = Fixtures.path("half_plus_two_tf1").resolve("variables").resolve("variables");
    for (Path path :
        List.of(
            prefix,
            Path.of(prefix + ".index"),
            Path.of(prefix + ".data-00000-of-00001"),
            prefix.getParent())) {
      try (WeightSource source = WeightSource.checkpoint(path)) {
        assertArrayEquals(new float[] {2.0f}, source.readFloats("b"), path.toString());
      }
    }
    Files.writeString(
        dir.resolve("checkpoint"),
        "model_checkpoint_path: \""
            + prefix
            + "\"\nall_model_checkpoint_paths: \""
            + prefix
            + "\"\n");
    try (WeightSource source = WeightSource.open(dir)) {
      assertArrayEquals(new float[] {0.5f}, source.readFloats("a"));
    }
  }

  /**
   * A checkpoint written by TensorFlow's own SaveV2 kernel (the one every TensorFlow saver runs)
   * reads back value for value: several dtypes, a matrix in row-major order, and strings.
   */
  @Test
  void readsWhatTensorFlowsSaveV2Writes() {
    Path prefix = dir.resolve("model").resolve("ckpt-1");
    double[][] matrix = {{1.5, -2.25, 3}, {4, 5e-7, -6e10}};
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TString> names =
          tf.constant(StdArrays.ndCopyOf(new String[] {"dense/kernel", "step", "words"}));
      session.run(
          tf.train.save(
              tf.constant(prefix.toString()),
              names,
              tf.constant(StdArrays.ndCopyOf(new String[] {"", "", ""})),
              List.of(
                  tf.constant(matrix),
                  tf.constant(42L),
                  tf.constant(StdArrays.ndCopyOf(new String[] {"tfloop", "", "héllo"})))));
    }
    try (WeightSource source = WeightSource.open(prefix)) {
      assertEquals(List.of("dense/kernel", "step", "words"), names(source));
      assertEquals(
          new WeightEntry("dense/kernel", WeightType.FLOAT64, Shape.of(2, 3)),
          source.entry("dense/kernel"));
      try (TFloat64 kernel = (TFloat64) source.read("dense/kernel")) {
        assertArrayEquals(matrix[0], StdArrays.array2dCopyOf(kernel)[0]);
        assertArrayEquals(matrix[1], StdArrays.array2dCopyOf(kernel)[1]);
      }
      try (TInt64 step = (TInt64) source.read("step")) {
        assertEquals(42L, step.getLong());
      }
      try (TString words = (TString) source.read("words")) {
        assertArrayEquals(
            new String[] {"tfloop", "", "héllo"}, StdArrays.array1dCopyOf(words, String.class));
      }
    }
  }

  @Test
  void aDamagedTensorIsACheckumErrorNamingFileAndEntry() throws Exception {
    Path copy = Fixtures.copy("half_plus_two_tf1", dir);
    Path data = copy.resolve("variables").resolve("variables.data-00000-of-00001");
    Fixtures.flipByte(data, 5); // inside b, bytes 4..7
    try (WeightSource source = WeightSource.open(copy)) {
      assertArrayEquals(new float[] {0.5f}, source.readFloats("a"));
      WeightFileException e =
          assertThrows(WeightFileException.class, () -> source.read("b").close());
      assertEquals(data, e.file());
      assertTrue(
          e.getMessage().startsWith(data + ": checksum mismatch for entry 'b'"), e.getMessage());
    }
  }

  @Test
  void aDamagedIndexBlockIsACheckumError() throws Exception {
    Path copy = Fixtures.copy("half_plus_two_tf2", dir);
    Path index = copy.resolve("variables").resolve("variables.index");
    Fixtures.flipByte(index, 3);
    WeightFileException e = assertThrows(WeightFileException.class, () -> WeightSource.open(copy));
    assertEquals(
        index + ": checksum mismatch in its data block at byte 0: stored crc32c",
        e.getMessage().substring(0, e.getMessage().indexOf(" crc32c") + 7));
  }

  @Test
  void aMissingDataFileIsNamed() throws Exception {
    Path copy = Fixtures.copy("half_plus_two_tf1", dir);
    Path data = copy.resolve("variables").resolve("variables.data-00000-of-00001");
    Files.delete(data);
    try (WeightSource source = WeightSource.open(copy)) {
      assertEquals(3, source.entries().size()); // the index alone lists them
      WeightFileException e =
          assertThrows(WeightFileException.class, () -> source.read("a").close());
      assertEquals(
          data + ": is missing: the index variables.index names 1 data file(s)", e.getMessage());
    }
  }

  @Test
  void somethingElseIsNotTakenForACheckpoint() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.index"), "x".repeat(100));
    WeightFileException notIndex =
        assertThrows(WeightFileException.class, () -> WeightSource.open(text));
    assertEquals(
        text + ": is not a TensorFlow checkpoint index: it does not end in the table magic number",
        notIndex.getMessage());

    Path empty = Files.createDirectory(dir.resolve("empty"));
    Files.writeString(empty.resolve("readme.txt"), "");
    WeightFileException noCheckpoint =
        assertThrows(WeightFileException.class, () -> WeightSource.open(empty));
    assertTrue(
        noCheckpoint.getMessage().startsWith(empty + ": is a directory without a checkpoint"));
    assertTrue(
        noCheckpoint.getMessage().endsWith("it holds [readme.txt]"), noCheckpoint.getMessage());

    Path nothing = dir.resolve("nothing-here");
    WeightFileException missing =
        assertThrows(WeightFileException.class, () -> WeightSource.open(nothing));
    assertTrue(missing.getMessage().startsWith(nothing + ": no checkpoint there"));
  }

  @Test
  void readingAnUnknownEntryNamesTheSource() {
    try (WeightSource source = WeightSource.open(Fixtures.path("half_plus_two_tf1"))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> source.read("d"));
      assertEquals(source.description() + " has no entry 'd'", e.getMessage());
      Tensor a = source.read("a");
      a.close();
    }
  }
}
