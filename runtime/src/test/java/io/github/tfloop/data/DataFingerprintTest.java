package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataFingerprintTest {

  private static Dataset data(float[] x, int[] y) {
    return Dataset.builder().add("x", Column.of(x, 2)).add("y", Column.of(y)).build();
  }

  private static Dataset small() {
    return data(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1, 2});
  }

  @Test
  void theSameValuesInOtherArraysHaveTheSameFingerprint() {
    DataFingerprint a = small().fingerprint();
    DataFingerprint b = small().fingerprint();
    assertEquals(a, b);
    assertEquals(Optional.empty(), a.describeDifference(b));
    assertEquals(List.of("x", "y"), a.columns().stream().map(c -> c.name()).toList());
    assertArrayEquals(new int[] {2}, a.column("x").orElseThrow().exampleShape());
    assertEquals(3, a.column("y").orElseThrow().size());
    assertEquals(DType.INT32, a.column("y").orElseThrow().dtype());
  }

  @Test
  void oneChangedValueIsAChangeOfContent() {
    DataFingerprint recorded = small().fingerprint();
    DataFingerprint now =
        data(new float[] {1, 2, 3, 4, 5, 6.0001f}, new int[] {0, 1, 2}).fingerprint();
    assertNotEquals(recorded, now);
    assertEquals(
        Optional.of(
            "column 'x' has the same type, shape and size (3 examples of FLOAT32 [2]) but"
                + " different values"),
        now.describeDifference(recorded));
  }

  @Test
  void theSameValuesInAnotherOrderAreAChangeOfContent() {
    DataFingerprint recorded = small().fingerprint();
    DataFingerprint swapped =
        data(new float[] {3, 4, 1, 2, 5, 6}, new int[] {1, 0, 2}).fingerprint();
    assertEquals(
        Optional.of(
            "column 'x' has the same type, shape and size (3 examples of FLOAT32 [2]) but"
                + " different values; column 'y' has the same type, shape and size (3 examples of"
                + " INT32 scalar) but different values"),
        swapped.describeDifference(recorded));
  }

  @Test
  void bitsCountAsWritten() {
    long zero = Column.of(new float[] {0f}).contentHash();
    assertNotEquals(zero, Column.of(new float[] {-0f}).contentHash());
    assertNotEquals(
        Column.of(new float[] {Float.NaN}).contentHash(),
        Column.of(new float[] {Float.intBitsToFloat(0x7fc00001)}).contentHash());
  }

  @Test
  void sizeTypeShapeAndColumnsAreNamedBeforeContent() {
    DataFingerprint recorded = small().fingerprint();
    DataFingerprint fewer = small().take(2).fingerprint();
    assertEquals(
        Optional.of("column 'x' has 2 examples, not 3; column 'y' has 2 examples, not 3"),
        fewer.describeDifference(recorded));
    DataFingerprint other =
        Dataset.builder()
            .add("x", Column.of(new double[] {1, 2, 3, 4, 5, 6}, 2))
            .add("z", Column.of(new int[] {0, 1, 2}))
            .build()
            .fingerprint();
    assertEquals(
        Optional.of(
            "column 'x' holds FLOAT64 values, not FLOAT32; column 'y' is missing (it held 3"
                + " examples of INT32 scalar); column 'z' is new (3 examples of INT32 scalar)"),
        other.describeDifference(recorded));
    DataFingerprint reshaped =
        Dataset.builder()
            .add("x", Column.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2))
            .add("y", Column.of(new int[] {0, 1, 2}))
            .build()
            .fingerprint();
    assertEquals(
        Optional.of("column 'x' has examples of shape [1, 2], not [2]"),
        reshaped.describeDifference(recorded));
  }

  @Test
  void onlyTheNamedColumnsWhenAsked() {
    Dataset data = small();
    DataFingerprint y = data.fingerprint(List.of("y"));
    assertEquals(1, y.columns().size());
    assertEquals(data.fingerprint().column("y"), y.column("y"));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> data.fingerprint(List.of("image")));
    assertEquals("no column 'image'; the columns are [x, y]", error.getMessage());
  }

  @Test
  void encodedFingerprintsDecodeToEqualOnes() {
    DataFingerprint fingerprint =
        Dataset.builder()
            .add("pixels: a b;é", Column.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2))
            .add("label", Column.of(new long[] {7, -7}))
            .build()
            .fingerprint();
    String text = fingerprint.encode();
    assertTrue(text.startsWith("xxh64 pixels%3A+a+b%3B%C3%A9:FLOAT32:2x2:2:"), text);
    assertTrue(text.contains(" label:INT64::2:"), text);
    assertEquals(fingerprint, DataFingerprint.decode(text));
    assertEquals(Optional.empty(), DataFingerprint.decode(text).describeDifference(fingerprint));
  }

  @Test
  void malformedTextIsRejectedWithTheText() {
    IllegalArgumentException noPrefix =
        assertThrows(IllegalArgumentException.class, () -> DataFingerprint.decode("x:INT32::3:00"));
    assertEquals(
        "not a data fingerprint (it must start with 'xxh64 '): 'x:INT32::3:00'",
        noPrefix.getMessage());
    IllegalArgumentException badColumn =
        assertThrows(
            IllegalArgumentException.class,
            () -> DataFingerprint.decode("xxh64 x:INT16::3:0123456789abcdef"));
    assertEquals(
        "not a data fingerprint: column 1 is 'x:INT16::3:0123456789abcdef', not"
            + " name:TYPE:shape:size:hash; the text is 'xxh64 x:INT16::3:0123456789abcdef'",
        badColumn.getMessage());
  }

  @Test
  void theHashIsComputedOnceAndRemembered() {
    float[] values = {1, 2, 3, 4};
    FloatColumn column = Column.of(values, 2);
    long first = column.contentHash();
    values[0] = 99; // not allowed after the first call, and not seen: the hash is remembered
    assertEquals(first, column.contentHash());
    assertNotEquals(first, Column.of(values, 2).contentHash(), "a new column hashes anew");
  }

  @Test
  void realImagesHashTheirLittleEndianFloatBytes() throws Exception {
    Path images =
        Path.of(getClass().getResource("/fashion-mnist/t10k-images-idx3-ubyte.gz").toURI());
    FloatColumn pixels = IdxFile.read(images).toFloatColumn(1 / 255f);
    ByteBuffer bytes =
        ByteBuffer.allocate(4 * pixels.values().length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(pixels.values());
    assertEquals(Xxh64.hash(bytes.array()), pixels.contentHash());
    DataFingerprint twice = Dataset.builder().add("image", pixels).build().fingerprint();
    FloatColumn again = IdxFile.read(images).toFloatColumn(1 / 255f);
    assertEquals(twice, Dataset.builder().add("image", again).build().fingerprint());
    again.values()[100 * 784 - 1] += 1 / 255f; // the last pixel of the last image
    FloatColumn changed = Column.of(again.values(), 28, 28);
    assertEquals(
        Optional.of(
            "column 'image' has the same type, shape and size (100 examples of FLOAT32 [28, 28])"
                + " but different values"),
        Dataset.builder().add("image", changed).build().fingerprint().describeDifference(twice));
  }
}
