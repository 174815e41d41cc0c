package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IDX reader on real Fashion-MNIST files: the first 100 test images, and the full set if
 * installed.
 */
class IdxFileTest {

  /** The first ten labels of the Fashion-MNIST test set. */
  private static final int[] FIRST_TEST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(IdxFileTest.class.getResource("/fashion-mnist/" + name).toURI());
  }

  @Test
  void readsCompressedImages() throws Exception {
    IdxFile images = IdxFile.read(fixture("t10k-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {100, 28, 28}, images.dimensions());
    FloatColumn column = images.toFloatColumn(1 / 255f);
    assertEquals(100, column.size());
    assertArrayEquals(new int[] {28, 28}, column.exampleShape());
    float min = Float.MAX_VALUE;
    float max = -Float.MAX_VALUE;
    for (float value : column.values()) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
    // the first image (an ankle boot) has a dark border: its corner pixels are 0
    assertEquals(0f, column.get(0, 0));
    assertEquals(0f, column.get(0, 27 * 28 + 27));
  }

  @Test
  void compressedAndPlainFilesReadTheSame() throws Exception {
    int[] fromGzip = IdxFile.read(fixture("t10k-labels-idx1-ubyte.gz")).toIntColumn().values();
    int[] fromPlain = IdxFile.read(fixture("t10k-labels-idx1-ubyte")).toIntColumn().values();
    assertArrayEquals(fromGzip, fromPlain);
    assertArrayEquals(FIRST_TEST_LABELS, Arrays.copyOf(fromPlain, 10));
  }

  @Test
  void truncatedFileNamesWhatIsMissing(@TempDir Path directory) throws Exception {
    byte[] whole = Files.readAllBytes(fixture("t10k-labels-idx1-ubyte"));
    Path truncated = directory.resolve("labels");
    Files.write(truncated, Arrays.copyOf(whole, 58));
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(truncated));
    assertEquals(
        truncated
            + ": truncated, the header [100] promises 100 bytes of data but the file holds 50",
        error.getMessage());
  }

  @Test
  void unreadableFileIsNamed(@TempDir Path directory) throws Exception {
    Path notAFile = Files.createDirectory(directory.resolve("labels.idx"));
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(notAFile));
    assertEquals(notAFile + ": not a regular file (a directory?)", error.getMessage());
  }

  @Test
  void writtenFilesReadBack(@TempDir Path directory) throws Exception {
    float[] floats = {0.5f, -1, 3e9f, Float.NaN, 7, 8};
    Path file = directory.resolve("x.idx");
    IdxFile.write(file, floats, DType.FLOAT32, 3, new int[] {2});
    IdxFile read = IdxFile.read(file);
    assertArrayEquals(new int[] {3, 2}, read.dimensions());
    assertArrayEquals(floats, read.toFloatColumn(1).values());
    IdxFile.write(file, new long[] {4, -2}, DType.INT64, 2, new int[0]);
    IdxFile longs = IdxFile.read(file); // IDX has no 64-bit integers: doubles, exact to 2^53
    assertEquals(4.0, longs.value(0));
    assertEquals(-2.0, longs.value(1));
  }

  @Test
  void notAnIdxFile() {
    byte[] text = "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    IOException error =
        assertThrows(
            IOException.class, () -> IdxFile.read(new ByteArrayInputStream(text), "hello.txt"));
    assertEquals(
        "hello.txt: not an IDX file (the first two bytes must be zero)", error.getMessage());
  }

  @Test
  void unknownElementType() {
    byte[] header = {0, 0, 0x42, 1, 0, 0, 0, 0};
    IOException error =
        assertThrows(
            IOException.class, () -> IdxFile.read(new ByteArrayInputStream(header), "x.idx"));
    assertTrue(
        error.getMessage().startsWith("x.idx: unknown IDX element type 0x42"), error.getMessage());
  }

  @Test
  void missingFile(@TempDir Path directory) {
    Path missing = directory.resolve("nothing-here.gz");
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(missing));
    assertEquals(missing + ": no such file", error.getMessage());
  }

  @Test
  void fullFashionMnistWhenInstalled() throws IOException {
    Path directory = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isDirectory(directory), "dataset-fashion-mnist is not installed");
    IdxFile train = IdxFile.read(directory.resolve("train-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {60000, 28, 28}, train.dimensions());
    int[] labels =
        IdxFile.read(directory.resolve("t10k-labels-idx1-ubyte.gz")).toIntColumn().values();
    assertEquals(10000, labels.length);
    int[] perClass = new int[10];
    for (int label : labels) {
      perClass[label]++;
    }
    int[] thousandEach = new int[10];
    Arrays.fill(thousandEach, 1000);
    assertArrayEquals(thousandEach, perClass);
    assertArrayEquals(FIRST_TEST_LABELS, Arrays.copyOf(labels, 10));
  }
}
