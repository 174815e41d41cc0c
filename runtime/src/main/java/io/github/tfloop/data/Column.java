package io.github.tfloop.data;

import java.util.Objects;

/**
 * One named column of a {@link Dataset}: {@link #size()} examples of the same shape, stored flat in
 * a primitive array, example after example (row-major within an example).
 */
public abstract sealed class Column permits FloatColumn, DoubleColumn, IntColumn, LongColumn {

  private final int[] exampleShape;
  private final int exampleLength;
  private final int size;

  Column(int arrayLength, int[] exampleShape) {
    Objects.requireNonNull(exampleShape, "exampleShape");
    this.exampleShape = exampleShape.clone();
    long length = 1;
    for (int dimension : exampleShape) {
      if (dimension <= 0) {
        throw new IllegalArgumentException(
            "every dimension of an example must be positive, got "
                + InputSpec.describe(exampleShape));
      }
      length *= dimension;
      if (length > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "an example of shape "
                + InputSpec.describe(exampleShape)
                + " has more values than a Java array holds");
      }
    }
    this.exampleLength = (int) length;
    if (arrayLength % exampleLength != 0) {
      throw new IllegalArgumentException(
          arrayLength
              + " values are not a whole number of examples of shape "
              + InputSpec.describe(exampleShape));
    }
    this.size = arrayLength / exampleLength;
  }

  /** Wraps {@code values} (not copied) as examples of the given shape. */
  public static FloatColumn of(float[] values, int... exampleShape) {
    return new FloatColumn(values, exampleShape);
  }

  /** Wraps {@code values} (not copied) as examples of the given shape. */
  public static DoubleColumn of(double[] values, int... exampleShape) {
    return new DoubleColumn(values, exampleShape);
  }

  /** Wraps {@code values} (not copied) as examples of the given shape. */
  public static IntColumn of(int[] values, int... exampleShape) {
    return new IntColumn(values, exampleShape);
  }

  /** Wraps {@code values} (not copied) as examples of the given shape. */
  public static LongColumn of(long[] values, int... exampleShape) {
    return new LongColumn(values, exampleShape);
  }

  /** The element type. */
  public abstract DType dtype();

  /**
   * The backing primitive array ({@code float[]} for a {@link FloatColumn}, and so on), not a copy.
   */
  public abstract Object values();

  /** The shape of one example (a copy). */
  public final int[] exampleShape() {
    return exampleShape.clone();
  }

  /** Values per example. */
  public final int exampleLength() {
    return exampleLength;
  }

  /** Number of examples. */
  public final int size() {
    return size;
  }

  /** A new column holding the examples at {@code indices}, in that order. */
  public abstract Column select(int[] indices);

  /** A new column holding the examples {@code from} (inclusive) to {@code to} (exclusive). */
  public final Column slice(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    int[] indices = new int[to - from];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = from + i;
    }
    return select(indices);
  }

  /** Copies the examples at {@code indices} out of {@code source} into a new array. */
  static Object gather(Object source, int exampleLength, int[] indices, Object target) {
    for (int i = 0; i < indices.length; i++) {
      System.arraycopy(
          source, indices[i] * exampleLength, target, i * exampleLength, exampleLength);
    }
    return target;
  }

  int checkedIndex(int example) {
    return Objects.checkIndex(example, size);
  }
}
