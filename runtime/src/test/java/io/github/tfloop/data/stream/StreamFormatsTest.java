package io.github.tfloop.data.stream;

import static io.github.tfloop.data.stream.Streams.INDEX;
import static io.github.tfloop.data.stream.Streams.X;
import static io.github.tfloop.data.stream.Streams.epoch;
import static io.github.tfloop.data.stream.Streams.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.tfloop.data.CsvTable;
import io.github.tfloop.data.DType;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.InputSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * Each format's values, against what the in-memory readers give, and each failure named with its
 * file and place.
 */
class StreamFormatsTest {

  @TempDir Path directory;

  // ---- CSV

  /** Rows {@code x0,x1,x2,index} of numbered examples, in CsvTable's dialect. */
  private Path csv(String name, int from, int to) throws IOException {
    StringBuilder text = new StringBuilder("\uFEFFindex, x0,x1,\"x2\"\r\n");
    for (int i = from; i < to; i++) {
      text.append(i)
          .append(", ")
          .append(3 * i)
          .append(',')
          .append(i % 2 == 0 ? "\"" + (3 * i + 1) + "\"" : Integer.toString(3 * i + 1))
          .append(',')
          .append((3 * i + 2) + ".0e0")
          .append(i % 7 == 0 ? "\r\n  \n" : "\n");
    }
    Path file = directory.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void csvRowsGiveTheValuesCsvTableGives() throws IOException {
    List<Path> files = List.of(csv("a.csv", 0, 40), csv("b.csv", 40, 100));
    StreamingDataset stream =
        StreamingDataset.csv(files, X, List.of("x0", "x1", "x2"), INDEX, List.of("index"));
    assertEquals(IntStream.range(0, 100).boxed().toList(), read(stream, epoch(1, 1, false, 0), 8));
    float[] expected =
        (float[])
            CsvTable.read(files.get(1)).dataset(X, List.of("x0", "x1", "x2")).column("x").values();
    assertEquals(180, expected.length);
    assertEquals(120f + 5, expected[5]);
    assertEquals(100, read(stream.shuffleBuffer(30), epoch(1, 1, true, 0), 8).size());
  }

  @Test
  void csvFailuresNameFileLineAndColumn() throws IOException {
    Path file = directory.resolve("bad.csv");
    Files.writeString(file, "index,x0,x1,x2\n0,0,1,2\n1,3,four,5\n");
    StreamingDataset stream =
        StreamingDataset.csv(List.of(file), X, List.of("x0", "x1", "x2"), INDEX, List.of("index"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> read(stream, epoch(1, 1, false, 0), 1));
    assertEquals(file + ":3: column 'x1' holds 'four', which is not a number", e.getMessage());

    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StreamingDataset.csv(
                    List.of(file), X, List.of("x0", "x1", "y"), INDEX, List.of("index")));
    assertEquals(
        file + " has no column 'y'; its columns are [index, x0, x1, x2]", missing.getMessage());

    Files.writeString(file, "index,x0,x1,x2\n0,0,1,2\n1,3,\"4,5\n");
    StreamingDataset open =
        StreamingDataset.csv(List.of(file), X, List.of("x0", "x1", "x2"), INDEX, List.of("index"));
    UncheckedIOException unclosed =
        assertThrows(UncheckedIOException.class, () -> read(open, epoch(1, 1, false, 0), 1));
    assertEquals(
        file + ":3: a quoted field opened on this line is never closed", unclosed.getMessage());
  }

  // ---- images

  private static final InputSpec IMAGE = InputSpec.feature("image", DType.FLOAT32, 5, 4);
  private static final InputSpec CLASS = InputSpec.label("class", DType.INT32);

  /** A 5×4 grey image whose pixels come from {@code seed}; returns them. */
  private static int[] greyImage(Path file, long seed, String format) throws IOException {
    return greyImage(file, new SplittableRandom(seed).ints(20, 0, 256).toArray(), format);
  }

  private static int[] greyImage(Path file, int[] pixels, String format) throws IOException {
    BufferedImage image = new BufferedImage(4, 5, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setPixels(0, 0, 4, 5, pixels);
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, format, file.toFile()));
    return pixels;
  }

  @Test
  void imageFoldersGivePixelsOver255AndTheClassNumber() throws IOException {
    Path root = directory.resolve("images");
    int[][] pixels = new int[6][];
    String[] classes = {"boot", "coat", "shirt"};
    for (int i = 0; i < 6; i++) {
      pixels[i] = greyImage(root.resolve(classes[i / 2]).resolve(i + ".png"), i, "png");
    }
    Files.writeString(root.resolve("coat").resolve("notes.txt"), "not an image");
    assertEquals(List.of("boot", "coat", "shirt"), StreamingDataset.imageClasses(root));
    StreamingDataset stream = StreamingDataset.imageFolders(root, IMAGE, CLASS);
    assertEquals(6, stream.size());
    float[] images = new float[6 * 20];
    int[] labels = new int[6];
    try (DataStream.Reader reader =
        stream.open(
            epoch(1, 1, false, 0),
            List.of(IMAGE, CLASS),
            6,
            new Object[][] {{images, labels}},
            set -> {})) {
      assertEquals(0, reader.next());
      assertEquals(6, reader.count(0));
    }
    assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2}, labels);
    for (int i = 0; i < 6; i++) {
      for (int p = 0; p < 20; p++) {
        // the same floats as IdxFile's pixels: (float) (byte * (double) (1 / 255f))
        assertEquals((float) (pixels[i][p] * (double) (1 / 255f)), images[20 * i + p], 0f);
      }
    }
  }

  @Test
  void jpegImagesAndColourInputsAreDecoded() throws IOException {
    Path root = directory.resolve("jpeg");
    int[] gradient = IntStream.range(0, 20).map(p -> 60 + 8 * (p % 4) + 10 * (p / 4)).toArray();
    int[] pixels = greyImage(root.resolve("a").resolve("0.jpg"), gradient, "jpg");
    InputSpec colour = InputSpec.feature("image", DType.INT32, 5, 4, 3);
    int[] values = new int[60];
    try (DataStream.Reader reader =
        StreamingDataset.imageFolders(root, colour, CLASS)
            .open(
                epoch(1, 1, false, 0), List.of(colour), 1, new Object[][] {{values}}, set -> {})) {
      assertEquals(0, reader.next());
    }
    double error = 0;
    for (int p = 0; p < 20; p++) {
      assertEquals(values[3 * p], values[3 * p + 1], "a grey image gives equal channels");
      error += Math.abs(values[3 * p] - pixels[p]);
    }
    assertTrue(error / 20 < 6, "JPEG is lossy, but close: mean error " + error / 20);
  }

  @Test
  void anImageOfAnotherSizeIsNamed() throws IOException {
    Path root = directory.resolve("sizes");
    greyImage(root.resolve("a").resolve("0.png"), 1, "png");
    InputSpec big = InputSpec.feature("image", DType.FLOAT32, 28, 28);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                StreamingDataset.imageFolders(root, big, CLASS)
                    .open(
                        epoch(1, 1, false, 0),
                        List.of(big),
                        1,
                        new Object[][] {{new float[784]}},
                        set -> {})
                    .next());
    assertEquals(
        root.resolve("a").resolve("0.png")
            + ": the image is 5×4 (height × width) but input 'image' takes 28×28; resize the images"
            + " first",
        e.getMessage());
  }

  // ---- TFRecord

  private Path records(int count, java.util.function.IntFunction<Example> example)
      throws IOException {
    Path file = directory.resolve("records.tfrecord");
    try (TfRecordWriter writer = TfRecordWriter.create(file)) {
      for (int i = 0; i < count; i++) {
        writer.write(example.apply(i));
      }
    }
    return file;
  }

  private static Example example(int index, int floats) {
    FloatList.Builder x = FloatList.newBuilder();
    for (int j = 0; j < floats; j++) {
      x.addValue(3 * index + j);
    }
    return Example.newBuilder()
        .setFeatures(
            Features.newBuilder()
                .putFeature("x", Feature.newBuilder().setFloatList(x).build())
                .putFeature(
                    "index",
                    Feature.newBuilder()
                        .setInt64List(Int64List.newBuilder().addValue(index))
                        .build()))
        .build();
  }

  private static String readFailure(Path file, Class<? extends RuntimeException> type)
      throws IOException {
    StreamingDataset stream = StreamingDataset.tfRecords(List.of(file), X, "x", INDEX, "index");
    return assertThrows(type, () -> read(stream, epoch(1, 1, false, 0), 4)).getMessage();
  }

  @Test
  void aDamagedRecordIsNamedWithItsFileAndPlace() throws IOException {
    Path file = records(10, i -> example(i, 3));
    byte[] bytes = Files.readAllBytes(file);
    int recordLength = bytes.length / 10;
    // the data of record 3
    byte[] damaged = bytes.clone();
    damaged[3 * recordLength + 20] ^= 0x40;
    Files.write(file, damaged);
    String message = readFailure(file, UncheckedIOException.class);
    assertTrue(
        message.startsWith(file + ": record 3 at byte " + 3 * recordLength + ": the masked CRC32C"),
        message);
    assertTrue(message.endsWith("the file is damaged"), message);
    // the length of record 5
    damaged = bytes.clone();
    damaged[5 * recordLength + 1] ^= 0x01;
    Files.write(file, damaged);
    message = readFailure(file, UncheckedIOException.class);
    assertTrue(
        message.startsWith(
            file + ": record 5 at byte " + 5 * recordLength + ": the masked CRC32C of its length"),
        message);
    // cut short
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 7));
    message = readFailure(file, UncheckedIOException.class);
    assertTrue(message.startsWith(file + ": truncated: record 9 at byte "), message);
  }

  @Test
  void aFeatureThatCannotFeedItsInputIsNamed() throws IOException {
    Path file = records(4, i -> example(i, i == 2 ? 2 : 3));
    long record2 = 2L * (16 + example(0, 3).getSerializedSize());
    assertEquals(
        file
            + ": record 2 at byte "
            + record2
            + ": feature 'x' holds 2 floats but input 'x' takes 3"
            + " ([3])",
        readFailure(file, IllegalArgumentException.class));

    records(4, i -> example(i, 3));
    StreamingDataset missing = StreamingDataset.tfRecords(List.of(file), X, "x", INDEX, "label");
    assertEquals(
        file
            + ": record 0 at byte 0: no feature 'label' for input 'index'; its features are"
            + " [index, x]",
        assertThrows(IllegalArgumentException.class, () -> read(missing, epoch(1, 1, false, 0), 4))
            .getMessage());

    InputSpec floats = InputSpec.feature("x", DType.INT32, 3);
    StreamingDataset wrongType =
        StreamingDataset.tfRecords(List.of(file), floats, "x", INDEX, "index");
    assertEquals(
        file + ": record 0 at byte 0: feature 'x' holds floats but input 'x' takes INT32 integers",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    wrongType
                        .open(
                            epoch(1, 1, false, 0),
                            List.of(floats),
                            4,
                            new Object[][] {{new int[12]}},
                            set -> {})
                        .next())
            .getMessage());
  }

  @Test
  void anInputTheStreamCannotFeedIsRefusedWhenItOpens() throws IOException {
    Path file = records(4, i -> example(i, 3));
    StreamingDataset stream = StreamingDataset.tfRecords(List.of(file), X, "x", INDEX, "index");
    InputSpec other = InputSpec.feature("x", DType.FLOAT32, 4);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                stream.open(
                    epoch(1, 1, false, 0),
                    List.of(other),
                    4,
                    new Object[][] {{new float[16]}},
                    s -> {}));
    assertEquals(
        "1 TFRecord file (records.tfrecord): column 'x' holds FLOAT32 [3] but feature x: FLOAT32 [4]"
            + " expects FLOAT32 [4]",
        e.getMessage());
  }
}
