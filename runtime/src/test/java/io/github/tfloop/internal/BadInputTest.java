package io.github.tfloop.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.tfloop.checkpoint.CheckpointPolicy;
import io.github.tfloop.data.Column;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.train.LoopOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each kind of bad training data fails {@code fit} and {@code resume} with a message naming what is
 * wrong and where, before the checkpoint directory is touched: it is byte for byte as before, down
 * to the leftover of an interrupted write that opening it would clean up.
 */
class BadInputTest {

  @TempDir Path checkpoints;
  private Map<String, String> before;

  static Stream<Arguments> badData() {
    float[] points = new float[2 * 64];
    int[] sides = new int[64];
    int[] outOfRange = sides.clone();
    outOfRange[37] = 2;
    int[] negative = sides.clone();
    negative[0] = -1;
    return Stream.of(
        Arguments.of(
            "wrong shape",
            Dataset.builder()
                .add("point", Column.of(new float[3 * 64], 3))
                .add("side", Column.of(sides))
                .build(),
            "training data: column 'point' has examples of shape [3] but the input expects [2]"),
        Arguments.of(
            "wrong type",
            Dataset.builder()
                .add("point", Column.of(new double[2 * 64], 2))
                .add("side", Column.of(sides))
                .build(),
            "training data: column 'point' holds FLOAT64 values but the input is FLOAT32"),
        Arguments.of(
            "empty",
            Dataset.builder()
                .add("point", Column.of(new float[0], 2))
                .add("side", Column.of(new int[0]))
                .build(),
            "training data is empty"),
        Arguments.of(
            "label out of range",
            Dataset.builder()
                .add("point", Column.of(points, 2))
                .add("side", Column.of(outOfRange))
                .build(),
            "training data: label 'side' of example 37 is 2, outside [0, 2): the model's logits"
                + " have 2 classes"),
        Arguments.of(
            "negative label",
            Dataset.builder()
                .add("point", Column.of(points, 2))
                .add("side", Column.of(negative))
                .build(),
            "training data: label 'side' of example 0 is -1, outside [0, 2): the model's logits"
                + " have 2 classes"),
        Arguments.of(
            "missing column",
            Dataset.builder().add("point", Column.of(points, 2)).build(),
            "training data has no column 'side' for label side: INT32 scalar; its columns are"
                + " [point]"));
  }

  @BeforeEach
  void saveACheckpointAndLeaveAnInterruptedWrite() throws IOException {
    try (Trainer engine = Classifier.build(options())) {
      engine.fit(Classifier.data(64, 1), null);
    }
    Path leftover = Files.createDirectories(checkpoints.resolve(".tmp-000002-1"));
    Files.writeString(leftover.resolve("variables.index"), "half");
    before = snapshot(checkpoints);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badData")
  void fitRefusesBeforeTouchingCheckpoints(String kind, Dataset bad, String message)
      throws IOException {
    try (Trainer engine = Classifier.build(options())) {
      IllegalArgumentException error =
          assertThrows(IllegalArgumentException.class, () -> engine.fit(bad, null));
      assertEquals(message, error.getMessage());
      error = assertThrows(IllegalArgumentException.class, () -> engine.resume(bad, null));
      assertEquals(message, error.getMessage());
      error = assertThrows(IllegalArgumentException.class, () -> engine.evaluate(bad));
      assertEquals(message.replace("training data", "evaluation data"), error.getMessage());
    }
    assertEquals(before, snapshot(checkpoints));
  }

  private LoopOptions options() {
    return LoopOptions.builder().checkpoints(CheckpointPolicy.in(checkpoints)).build();
  }

  /** Every file under {@code directory} with its CRC32C. */
  private static Map<String, String> snapshot(Path directory) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(directory)) {
      for (Path file : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(file)) {
          java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
          crc.update(Files.readAllBytes(file));
          files.put(directory.relativize(file).toString(), Long.toHexString(crc.getValue()));
        }
      }
    }
    return files;
  }
}
