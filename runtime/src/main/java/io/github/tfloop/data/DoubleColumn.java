package io.github.tfloop.data;

/** A column of {@code double} values, fed to {@link DType#FLOAT64} inputs. */
public final class DoubleColumn extends Column {

  private final double[] values;

  DoubleColumn(double[] values, int[] exampleShape) {
    super(values.length, exampleShape);
    this.values = values;
  }

  @Override
  public DType dtype() {
    return DType.FLOAT64;
  }

  /**
   * The backing array, not a copy: {@link #size()} examples of {@link #exampleLength()} values
   * each. Loops read it while feeding batches; do not change it during training.
   */
  @Override
  public double[] values() {
    return values;
  }

  /** The value at position {@code offset} of example {@code example}. */
  public double get(int example, int offset) {
    int position = java.util.Objects.checkIndex(offset, exampleLength());
    return values[checkedIndex(example) * exampleLength() + position];
  }

  @Override
  long hashValues() {
    return Xxh64.hash(values);
  }

  @Override
  public DoubleColumn select(int[] indices) {
    double[] selected = new double[indices.length * exampleLength()];
    gather(values, exampleLength(), indices, selected);
    return new DoubleColumn(selected, exampleShape());
  }
}
