package io.github.tfloop.data.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.tfloop.data.DType;
import io.github.tfloop.data.DataStream;
import io.github.tfloop.data.Dataset;
import io.github.tfloop.data.InputSpec;
import java.util.ArrayList;
import java.util.List;

/** Test data whose examples say which they are, and a reader of streams without a loop. */
final class Streams {

  /** Three floats per example: {@code 3 i}, {@code 3 i + 1}, {@code 3 i + 2}. */
  static final InputSpec X = InputSpec.feature("x", DType.FLOAT32, 3);

  /** The example's index {@code i}. */
  static final InputSpec INDEX = InputSpec.label("index", DType.INT32);

  private Streams() {}

  /** {@code size} examples, example {@code i} holding {@code i} in both columns. */
  static Dataset numbered(int size) {
    float[] x = new float[3 * size];
    int[] index = new int[size];
    for (int i = 0; i < size; i++) {
      index[i] = i;
      for (int j = 0; j < 3; j++) {
        x[3 * i + j] = 3 * i + j;
      }
    }
    return Dataset.builder().add(X, x).add(INDEX, index).build();
  }

  /**
   * The indices of the examples of one epoch of {@code stream}, in the order they come, read in
   * batches of {@code batchSize}; checks that each example's floats belong to its index.
   */
  static List<Integer> read(DataStream stream, DataStream.Epoch epoch, int batchSize) {
    Object[][] targets = new Object[3][];
    for (int set = 0; set < targets.length; set++) {
      targets[set] = new Object[] {new float[3 * batchSize], new int[batchSize]};
    }
    List<Integer> order = new ArrayList<>();
    try (DataStream.Reader reader =
        stream.open(epoch, List.of(X, INDEX), batchSize, targets, set -> {})) {
      for (int set = reader.next(); set >= 0; set = reader.next()) {
        float[] x = (float[]) targets[set][0];
        int[] index = (int[]) targets[set][1];
        for (int i = 0; i < reader.count(set); i++) {
          for (int j = 0; j < 3; j++) {
            assertEquals(3f * index[i] + j, x[3 * i + j], "example " + index[i]);
          }
          order.add(index[i]);
        }
        reader.release(set);
      }
    }
    return order;
  }

  static DataStream.Epoch epoch(long seed, int number, boolean shuffle, long skip) {
    return new DataStream.Epoch(seed, number, shuffle, skip, -1);
  }
}
