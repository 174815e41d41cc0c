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
  private long contentHash;
  private volatile boolean hashed;

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

  /**
   * A 64-bit hash of the values, in order: XXH64 (seed 0) of their bytes, little-endian ({@code
   * Float.floatToRawIntBits} for floats, so {@code -0.0} and every NaN payload count as written).
   * It equals {@code xxhsum -H1} of a file holding those bytes. Computed on the first call, reading
   * the backing array once without allocating, and remembered by this column: the values must not
   * change after that (as they must not during training).
   *
   * <p>Columns with equal values in the same order have equal hashes; columns that differ in any
   * value, or only in order, have different hashes except by a chance of about 2<sup>-64</sup>.
   * Shape and type are not part of it: {@link Dataset#fingerprint()} records them beside it.
   */
  public final long contentHash() {
    if (!hashed) {
      contentHash = hashValues();
      hashed = true; // volatile write: publishes contentHash to other threads
    }
    return contentHash;
  }

  /** XXH64 of the backing array; see {@link #contentHash()}. */
  abstract long hashValues();

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
