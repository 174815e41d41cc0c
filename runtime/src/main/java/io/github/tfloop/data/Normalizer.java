package io.github.tfloop.data;

import java.util.Arrays;

/**
 * Scales a float column per position of an example: to zero mean and unit variance ({@link #fit})
 * or to {@code [0, 1]} ({@link #fitMinMax}), with statistics taken from the training data only and
 * applied unchanged to validation and test data.
 *
 * <pre>{@code
 * Normalizer features = Normalizer.fit(train.column("features"));
 * Dataset trainScaled = features.apply(train, "features");
 * Dataset testScaled = features.apply(test, "features");
 * }</pre>
 */
public final class Normalizer {

  private final double[] offset;
  private final double[] scale;

  private Normalizer(double[] offset, double[] scale) {
    this.offset = offset;
    this.scale = scale;
  }

  /**
   * The per-position mean and standard deviation of {@code column}, a {@link FloatColumn}: one pair
   * per element of an example. A constant position gets a deviation of 1.
   */
  public static Normalizer fit(Column column) {
    FloatColumn floats = requireFloats(column);
    int width = floats.exampleLength();
    float[] values = floats.values();
    double[] mean = new double[width];
    double[] squares = new double[width];
    for (int i = 0; i < values.length; i++) {
      mean[i % width] += values[i];
    }
    for (int j = 0; j < width; j++) {
      mean[j] /= floats.size();
    }
    for (int i = 0; i < values.length; i++) {
      double deviation = values[i] - mean[i % width];
      squares[i % width] += deviation * deviation;
    }
    double[] stddev = new double[width];
    for (int j = 0; j < width; j++) {
      double deviation = Math.sqrt(squares[j] / floats.size());
      stddev[j] = deviation > 0 ? deviation : 1;
    }
    return new Normalizer(mean, stddev);
  }

  /**
   * A scaler to {@code [0, 1]} per position: {@code (x - min) / (max - min)} over {@code column} (a
   * constant position is only shifted).
   */
  public static Normalizer fitMinMax(Column column) {
    FloatColumn floats = requireFloats(column);
    int width = floats.exampleLength();
    double[] min = new double[width];
    double[] max = new double[width];
    Arrays.fill(min, Double.POSITIVE_INFINITY);
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    float[] values = floats.values();
    for (int i = 0; i < values.length; i++) {
      min[i % width] = Math.min(min[i % width], values[i]);
      max[i % width] = Math.max(max[i % width], values[i]);
    }
    double[] range = new double[width];
    for (int j = 0; j < width; j++) {
      range[j] = max[j] > min[j] ? max[j] - min[j] : 1;
    }
    return new Normalizer(min, range);
  }

  private static FloatColumn requireFloats(Column column) {
    if (!(column instanceof FloatColumn floats)) {
      throw new IllegalArgumentException(
          "normalisation needs a FLOAT32 column, got " + column.dtype());
    }
    if (floats.size() == 0) {
      throw new IllegalArgumentException("cannot normalise an empty column");
    }
    return floats;
  }

  /** The scaled copy of {@code column}: {@code (x - offset) / scale} per position. */
  public FloatColumn apply(Column column) {
    if (!(column instanceof FloatColumn floats) || floats.exampleLength() != offset.length) {
      throw new IllegalArgumentException(
          "this normaliser was fitted to examples of "
              + offset.length
              + " floats, got "
              + column.dtype()
              + " "
              + InputSpec.describe(column.exampleShape()));
    }
    float[] values = floats.values();
    float[] scaled = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      int j = i % offset.length;
      scaled[i] = (float) ((values[i] - offset[j]) / scale[j]);
    }
    return new FloatColumn(scaled, floats.exampleShape());
  }

  /** {@code data} with its column {@code name} standardised, every other column as it was. */
  public Dataset apply(Dataset data, String name) {
    Dataset.Builder builder = Dataset.builder();
    for (String column : data.columnNames()) {
      builder.add(column, column.equals(name) ? apply(data.column(column)) : data.column(column));
    }
    return builder.build();
  }

  /** What is subtracted, per position of an example: the mean, or the minimum. */
  public double[] offset() {
    return offset.clone();
  }

  /** What the difference is divided by: the standard deviation, or the range. */
  public double[] scale() {
    return scale.clone();
  }

  /** The value {@code scaled} stood for before scaling, at position {@code position}. */
  public double inverse(double scaled, int position) {
    return scaled * scale[position] + offset[position];
  }

  @Override
  public String toString() {
    return "Normalizer[offset="
        + Arrays.toString(offset)
        + ", scale="
        + Arrays.toString(scale)
        + "]";
  }
}
