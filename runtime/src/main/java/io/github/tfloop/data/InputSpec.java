package io.github.tfloop.data;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.ndarray.Shape;

/**
 * One input a generated loop feeds: its name, element type and the shape of one example. Generated
 * loops expose one constant per input ({@code FashionMlpLoop.IMAGE}) that datasets and batches are
 * checked against.
 */
public final class InputSpec {

  /** Whether an input is fed to the model or only to losses and metrics. */
  public enum Role {
    /** A model input, fed for training, evaluation and prediction. */
    FEATURE,
    /** A target, fed for training and evaluation only. */
    LABEL
  }

  private final String name;
  private final Role role;
  private final DType dtype;
  private final int[] exampleShape;
  private final int exampleLength;

  private InputSpec(String name, Role role, DType dtype, int[] exampleShape) {
    this.name = Objects.requireNonNull(name, "name");
    this.role = Objects.requireNonNull(role, "role");
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.exampleShape = exampleShape.clone();
    long length = 1;
    for (int dimension : exampleShape) {
      if (dimension <= 0) {
        throw new IllegalArgumentException(
            "input '"
                + name
                + "': every dimension must be positive, got "
                + describe(exampleShape));
      }
      length *= dimension;
    }
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("input '" + name + "': example too large");
    }
    this.exampleLength = (int) length;
  }

  /** A model input named {@code name} whose examples have the given shape. */
  public static InputSpec feature(String name, DType dtype, int... exampleShape) {
    return new InputSpec(name, Role.FEATURE, dtype, exampleShape);
  }

  /** A target named {@code name} whose examples have the given shape. */
  public static InputSpec label(String name, DType dtype, int... exampleShape) {
    return new InputSpec(name, Role.LABEL, dtype, exampleShape);
  }

  public String name() {
    return name;
  }

  public Role role() {
    return role;
  }

  public DType dtype() {
    return dtype;
  }

  /** The shape of one example, without the batch dimension (a copy). */
  public int[] exampleShape() {
    return exampleShape.clone();
  }

  /** Number of values in one example: the product of {@link #exampleShape()}. */
  public int exampleLength() {
    return exampleLength;
  }

  /** The shape of a batch of {@code batchSize} examples. */
  public Shape batchShape(long batchSize) {
    long[] dims = new long[exampleShape.length + 1];
    dims[0] = batchSize;
    for (int i = 0; i < exampleShape.length; i++) {
      dims[i + 1] = exampleShape[i];
    }
    return Shape.of(dims);
  }

  /**
   * Number of examples in a flat array of {@code arrayLength} values.
   *
   * @throws IllegalArgumentException if the array is empty or not a whole number of examples
   */
  public int examplesIn(int arrayLength) {
    if (arrayLength == 0 || arrayLength % exampleLength != 0) {
      throw new IllegalArgumentException(
          name
              + ": expected a positive multiple of "
              + exampleLength
              + " values ("
              + describe(exampleShape)
              + " per example), got "
              + arrayLength);
    }
    return arrayLength / exampleLength;
  }

  /**
   * Checks that a flat array of {@code arrayLength} values holds exactly {@code examples} examples,
   * the number another input of the same batch holds.
   *
   * @throws IllegalArgumentException naming this input and the expected length otherwise
   */
  public void requireExamples(int arrayLength, int examples) {
    long expected = (long) examples * exampleLength;
    if (arrayLength != expected) {
      throw new IllegalArgumentException(
          name
              + ": expected "
              + expected
              + " values ("
              + examples
              + " examples of "
              + describe(exampleShape)
              + "), got "
              + arrayLength);
    }
  }

  /** Checks that a dataset column can feed this input. */
  void requireCompatible(Column column, String where) {
    if (column.dtype() != dtype) {
      throw new IllegalArgumentException(
          where
              + ": column '"
              + name
              + "' holds "
              + column.dtype()
              + " values but the input is "
              + dtype);
    }
    if (!Arrays.equals(column.exampleShape(), exampleShape)) {
      throw new IllegalArgumentException(
          where
              + ": column '"
              + name
              + "' has examples of shape "
              + describe(column.exampleShape())
              + " but the input expects "
              + describe(exampleShape));
    }
  }

  /** Renders a shape the way messages show it: {@code [28, 28]}, or {@code scalar}. */
  public static String describe(int[] shape) {
    return shape.length == 0 ? "scalar" : Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof InputSpec that
        && name.equals(that.name)
        && role == that.role
        && dtype == that.dtype
        && Arrays.equals(exampleShape, that.exampleShape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, role, dtype, Arrays.hashCode(exampleShape));
  }

  @Override
  public String toString() {
    return role.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + name
        + ": "
        + dtype
        + " "
        + describe(exampleShape);
  }
}
