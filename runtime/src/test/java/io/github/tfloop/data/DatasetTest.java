package io.github.tfloop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DatasetTest {

  private static Dataset numbered(int size) {
    float[] x = new float[size * 2];
    int[] y = new int[size];
    for (int i = 0; i < size; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = -i;
      y[i] = i;
    }
    return Dataset.builder().add("x", Column.of(x, 2)).add("y", Column.of(y)).build();
  }

  @Test
  void splitIsASeededPartition() {
    Dataset data = numbered(100);
    Dataset.Split split = data.split(0.2, 7);
    assertEquals(80, split.train().size());
    assertEquals(20, split.validation().size());
    int[] all = new int[100];
    System.arraycopy(((IntColumn) split.train().column("y")).values(), 0, all, 0, 80);
    System.arraycopy(((IntColumn) split.validation().column("y")).values(), 0, all, 80, 20);
    int[] sorted = all.clone();
    Arrays.sort(sorted);
    int[] expected = new int[100];
    Arrays.setAll(expected, i -> i);
    assertArrayEquals(expected, sorted, "every example in exactly one part");
    assertArrayEquals(all, concat(data.split(0.2, 7)), "the same seed, the same split");
    assertNotEquals(Arrays.toString(all), Arrays.toString(concat(data.split(0.2, 8))));
    // rows stay whole: x of an example still matches its y
    FloatColumn x = (FloatColumn) split.validation().column("x");
    IntColumn y = (IntColumn) split.validation().column("y");
    for (int i = 0; i < 20; i++) {
      assertEquals(y.get(i, 0), x.get(i, 0));
      assertEquals(-y.get(i, 0), x.get(i, 1));
    }
  }

  private static int[] concat(Dataset.Split split) {
    int[] all = new int[100];
    System.arraycopy(((IntColumn) split.train().column("y")).values(), 0, all, 0, 80);
    System.arraycopy(((IntColumn) split.validation().column("y")).values(), 0, all, 80, 20);
    return all;
  }

  @Test
  void columnsMustAgreeOnTheNumberOfExamples() {
    Dataset.Builder builder = Dataset.builder().add("x", Column.of(new float[6], 2));
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> builder.add("y", Column.of(new int[4])));
    assertEquals(
        "column 'y' has 4 examples but the columns before it [x] have 3", error.getMessage());
  }

  @Test
  void aColumnIsCheckedAgainstTheInputItFeeds() {
    InputSpec image = InputSpec.feature("image", DType.FLOAT32, 28, 28);
    Dataset data = Dataset.builder().add("image", Column.of(new float[784 * 2], 784)).build();
    IllegalArgumentException shape =
        assertThrows(IllegalArgumentException.class, () -> data.columnFor(image, "training data"));
    assertEquals(
        "training data: column 'image' has examples of shape [784] but the input"
            + " expects [28, 28]",
        shape.getMessage());
    Dataset ints = Dataset.builder().add("image", Column.of(new int[784], 28, 28)).build();
    IllegalArgumentException type =
        assertThrows(IllegalArgumentException.class, () -> ints.columnFor(image, "test data"));
    assertEquals(
        "test data: column 'image' holds INT32 values but the input is FLOAT32", type.getMessage());
  }

  @Test
  void normalizerUsesTrainingStatisticsOnly() {
    FloatColumn train = Column.of(new float[] {1, 10, 3, 10, 5, 10}, 2);
    Normalizer normalizer = Normalizer.fit(train);
    assertArrayEquals(new double[] {3, 10}, normalizer.offset(), 1e-12);
    assertArrayEquals(new double[] {Math.sqrt(8.0 / 3), 1}, normalizer.scale(), 1e-12);
    float[] scaled = normalizer.apply(Column.of(new float[] {3, 12}, 2)).values();
    assertArrayEquals(new float[] {0, 2}, scaled, 1e-6f);
    Normalizer range = Normalizer.fitMinMax(train);
    assertArrayEquals(
        new float[] {0.5f, 0, 1, 10},
        range.apply(Column.of(new float[] {3, 10, 5, 20}, 2)).values(),
        1e-6f);
    assertEquals(5.0, range.inverse(1, 0), 1e-12);
  }

  @Test
  void anExampleShapeTooLargeForAnArrayIsNamed() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> Column.of(new float[0], 65536, 65536));
    assertEquals(
        "an example of shape [65536, 65536] has more values than a Java array holds",
        error.getMessage());
  }
}
