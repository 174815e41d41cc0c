package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
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
            + ": truncated: the header [100] promises 100 bytes of data but the file holds only 50",
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

  // ---- errors found by an adversarial reading of the format (issue 12) ----

  /** A gzip-compressed copy of {@code plain}. */
  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  /** How many bytes a gzip stream yields before it ends or breaks off. */
  private static int decompressedLength(byte[] compressed) {
    int count = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      while (in.read() >= 0) {
        count++;
      }
    } catch (IOException expected) {
      // the stream breaks off where the file was cut
    }
    return count;
  }

  private static byte[] header(int typeCode, int... dimensions) {
    ByteBuffer header = ByteBuffer.allocate(4 + 4 * dimensions.length);
    header.put((byte) 0).put((byte) 0).put((byte) typeCode).put((byte) dimensions.length);
    for (int dimension : dimensions) {
      header.putInt(dimension);
    }
    return header.array();
  }

  private static IOException readError(byte[] bytes, String source) {
    return assertThrows(
        IOException.class, () -> IdxFile.read(new ByteArrayInputStream(bytes), source));
  }

  @Test
  void truncatedGzipSaysWhereItEnds(@TempDir Path directory) throws Exception {
    byte[] compressed = Files.readAllBytes(fixture("t10k-images-idx3-ubyte.gz"));
    byte[] cut = Arrays.copyOf(compressed, compressed.length / 2);
    Path file = directory.resolve("t10k-images-idx3-ubyte.gz");
    Files.write(file, cut);
    int dataBytes = decompressedLength(cut) - 16;
    assertTrue(dataBytes > 0 && dataBytes < 78400, "cut inside the data: " + dataBytes);
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(file));
    assertEquals(
        file
            + ": truncated: the header [100, 28, 28] promises 78400 bytes of data but the file"
            + " holds only "
            + dataBytes
            + " (its gzip stream ends early)",
        error.getMessage());
  }

  @Test
  void gzipCutInsideTheHeaderSaysSo() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("t10k-labels-idx1-ubyte"));
    IOException shortHeader = readError(gzip(Arrays.copyOf(whole, 6)), "labels.gz");
    assertEquals(
        "labels.gz: truncated inside the IDX header: the file ends after 6 bytes",
        shortHeader.getMessage());
    byte[] cut = Arrays.copyOf(gzip(whole), 12);
    int decompressed = decompressedLength(cut);
    assertTrue(decompressed < 8, "cut inside the header: " + decompressed);
    IOException error = readError(cut, "labels.gz");
    assertEquals(
        "labels.gz: truncated inside the IDX header: the file ends after "
            + decompressed
            + " bytes (its gzip stream ends early)",
        error.getMessage());
  }

  @Test
  void gzipCutInsideItsTrailerSaysSo() throws Exception {
    byte[] whole = Files.readAllBytes(fixture("t10k-labels-idx1-ubyte"));
    byte[] compressed = gzip(whole);
    byte[] cut = Arrays.copyOf(compressed, compressed.length - 3);
    IOException error = readError(cut, "labels.gz");
    assertEquals(
        "labels.gz: truncated: the gzip stream ends inside its trailer, after all 100 bytes of"
            + " data",
        error.getMessage());
  }

  @Test
  void corruptGzipIsNamed() throws Exception {
    byte[] compressed = Files.readAllBytes(fixture("t10k-images-idx3-ubyte.gz"));
    byte[] corrupt = compressed.clone();
    for (int i = 200; i < 240; i++) {
      corrupt[i] = (byte) 0xff;
    }
    IOException error = readError(corrupt, "images.gz");
    assertTrue(
        error.getMessage().startsWith("images.gz: corrupt gzip data after "), error.getMessage());
  }

  @Test
  void anEmptyFileIsNamedEmpty(@TempDir Path directory) throws Exception {
    Path file = Files.createFile(directory.resolve("labels.idx"));
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(file));
    assertEquals(file + ": empty file, not an IDX file", error.getMessage());
  }

  @Test
  void anElementCountThatOverflowsIsRejectedAtTheHeader() {
    IOException perExample = readError(header(0x08, 0, 65536, 65536), "x.idx");
    assertEquals(
        "x.idx: the IDX header's dimensions [0, 65536, 65536] describe examples of 4294967296"
            + " values, more than a Java array holds",
        perExample.getMessage());
    IOException total = readError(header(0x0E, Integer.MAX_VALUE, Integer.MAX_VALUE - 8), "y.idx");
    assertEquals(
        "y.idx: the IDX header's dimensions [2147483647, 2147483639] describe"
            + " 4611685996952551433 values of 8 bytes (36893487975620411464 bytes), more than a"
            + " Java array holds",
        total.getMessage());
  }

  @Test
  void aZeroExampleDimensionIsRejectedAtTheHeader() {
    IOException error = readError(header(0x08, 3, 0), "x.idx");
    assertEquals(
        "x.idx: the IDX header's dimensions [3, 0] have a zero: every dimension after the first"
            + " (the number of examples) must be positive",
        error.getMessage());
  }

  @Test
  void aNegativeDimensionIsRejectedAtTheHeader() {
    IOException error = readError(header(0x08, 3, -28), "x.idx");
    assertEquals(
        "x.idx: the IDX header's dimension 1 is negative (-28), or larger than 2^31 - 1",
        error.getMessage());
  }

  @Test
  void aHeaderPromisingHugeDataIsCheckedBeforeAllocating(@TempDir Path directory) throws Exception {
    byte[] header = header(0x0D, 500_000_000);
    Path file = directory.resolve("huge.idx");
    Files.write(file, Arrays.copyOf(header, header.length + 12));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    IOException error = assertThrows(IOException.class, () -> IdxFile.read(file));
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 50_000_000, "allocated " + allocated + " bytes for a 20-byte file");
    assertEquals(
        file
            + ": truncated: the header [500000000] promises 2000000000 bytes of data but the file"
            + " holds only 12",
        error.getMessage());
    // the same through a stream (gzip: the size is not known in advance)
    byte[] compressed = gzip(Arrays.copyOf(header, header.length + 12));
    long beforeStream = threads.getCurrentThreadAllocatedBytes();
    IOException streamed = readError(compressed, "huge.idx.gz");
    long allocatedStream = threads.getCurrentThreadAllocatedBytes() - beforeStream;
    assertEquals(
        "huge.idx.gz: truncated: the header [500000000] promises 2000000000 bytes of data but"
            + " the file holds only 12",
        streamed.getMessage());
    assertTrue(
        allocatedStream < 200_000_000,
        "allocated " + allocatedStream + " bytes for a tiny gzip stream");
  }

  @Test
  void trailingBytesAreRejected(@TempDir Path directory) throws Exception {
    Path file = directory.resolve("x.idx");
    IdxFile.write(file, new float[] {1, 2, 3, 4, 5, 6}, DType.FLOAT32, 3, new int[] {2});
    Files.write(file, new byte[] {9, 9, 9}, java.nio.file.StandardOpenOption.APPEND);
    IOException plain = assertThrows(IOException.class, () -> IdxFile.read(file));
    assertEquals(
        file
            + ": 3 bytes after the 24 bytes of data that the header [3, 2] describes (two files"
            + " joined, or a wrong header?)",
        plain.getMessage());
    IOException compressed = readError(gzip(Files.readAllBytes(file)), "x.idx.gz");
    assertEquals(
        "x.idx.gz: 3 bytes after the 24 bytes of data that the header [3, 2] describes (two"
            + " files joined, or a wrong header?)",
        compressed.getMessage());
  }

  @Test
  void writeChecksTheValuesAgainstTheShape(@TempDir Path directory) {
    Path file = directory.resolve("x.idx");
    IllegalArgumentException count =
        assertThrows(
            IllegalArgumentException.class,
            () -> IdxFile.write(file, new float[6], DType.FLOAT32, 5, new int[] {2}));
    assertEquals(
        "5 examples of [2] need 10 values, got 6 (nothing was written to " + file + ")",
        count.getMessage());
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> IdxFile.write(file, new int[6], DType.FLOAT32, 3, new int[] {2}));
    assertEquals(
        "FLOAT32 values come in a float[], got int[] (nothing was written to " + file + ")",
        type.getMessage());
    assertFalse(Files.exists(file));
  }

  // ---- one call from files to a dataset (issue 15) ----

  private static final InputSpec IMAGE = InputSpec.feature("image", DType.FLOAT32, 28, 28);
  private static final InputSpec LABEL = InputSpec.label("label", DType.INT32);

  @Test
  void twoFilesMakeTheDatasetALoopTakes() throws Exception {
    Dataset test =
        IdxFile.dataset(
            IMAGE, fixture("t10k-images-idx3-ubyte.gz"), LABEL, fixture("t10k-labels-idx1-ubyte"));
    assertEquals(100, test.size());
    assertEquals(List.of("image", "label"), List.copyOf(test.columnNames()));
    FloatColumn images = (FloatColumn) test.columnFor(IMAGE, "test data");
    IntColumn labels = (IntColumn) test.columnFor(LABEL, "test data");
    // the same values, bit for bit, as the glue written by hand
    assertArrayEquals(
        IdxFile.read(fixture("t10k-images-idx3-ubyte.gz")).toFloatColumn(1 / 255f).values(),
        images.values());
    assertArrayEquals(FIRST_TEST_LABELS, Arrays.copyOf(labels.values(), 10));
    assertEquals(0f, images.get(0, 0)); // the ankle boot's corner is black
    float max = 0;
    for (float value : images.values()) {
      max = Math.max(max, value);
    }
    assertEquals(1f, max, "pixels are divided by 255");
  }

  @Test
  void examplesTakeTheInputsShapeWhenTheyHoldAsManyValues() throws Exception {
    InputSpec flat = InputSpec.feature("pixels", DType.FLOAT64, 784);
    Dataset data = IdxFile.dataset(flat, fixture("t10k-images-idx3-ubyte.gz"));
    DoubleColumn pixels = (DoubleColumn) data.column("pixels");
    assertArrayEquals(new int[] {784}, pixels.exampleShape());
    IdxFile file = IdxFile.read(fixture("t10k-images-idx3-ubyte.gz"));
    assertEquals(file.value(784 + 300) / 255, pixels.get(1, 300));
    InputSpec wrong = InputSpec.feature("image", DType.FLOAT32, 27, 28);
    Path images = fixture("t10k-images-idx3-ubyte.gz");
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> IdxFile.dataset(wrong, images));
    assertEquals(
        images
            + " holds examples of shape [28, 28] (784 values) but input 'image' takes [27, 28]"
            + " (756 values)",
        error.getMessage());
  }

  @Test
  void filesOfDifferentLengthsAreNamed(@TempDir Path directory) throws Exception {
    Path labels = directory.resolve("labels.idx");
    IdxFile.write(labels, new int[50], DType.INT32, 50, new int[0]);
    Path images = fixture("t10k-images-idx3-ubyte.gz");
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class, () -> IdxFile.dataset(IMAGE, images, LABEL, labels));
    assertEquals(
        images
            + " holds 100 examples but "
            + labels
            + " holds 50; the two files must hold the same examples, in the same order",
        error.getMessage());
  }

  @Test
  void floatsDoNotFeedAnIntegerInput(@TempDir Path directory) throws Exception {
    Path labels = directory.resolve("labels.idx");
    IdxFile.write(labels, new float[] {1, 2}, DType.FLOAT32, 2, new int[0]);
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> IdxFile.dataset(LABEL, labels));
    assertEquals(
        labels + " holds FLOAT values but input 'label' takes INT32 integers", error.getMessage());
  }

  @Test
  void fullFashionMnistInOneCallWhenInstalled() throws IOException {
    Path directory = Path.of("/usr/share/datasets/fashion-mnist");
    assumeTrue(Files.isDirectory(directory), "dataset-fashion-mnist is not installed");
    Dataset train =
        IdxFile.dataset(
            IMAGE,
            directory.resolve("train-images-idx3-ubyte.gz"),
            LABEL,
            directory.resolve("train-labels-idx1-ubyte.gz"));
    assertEquals(60000, train.size());
    int[] perClass = new int[10];
    for (int label : ((IntColumn) train.column("label")).values()) {
      perClass[label]++;
    }
    int[] sixThousandEach = new int[10];
    Arrays.fill(sixThousandEach, 6000);
    assertArrayEquals(sixThousandEach, perClass);
  }
}
