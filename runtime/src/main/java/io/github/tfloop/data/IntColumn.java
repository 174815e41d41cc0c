package io.github.tfloop.data;

/** A column of {@code int} values, fed to {@link DType#INT32} inputs. */
public final class IntColumn extends Column {

  private final int[] values;

  IntColumn(int[] values, int[] exampleShape) {
    super(values.length, exampleShape);
    this.values = values;
  }

  @Override
  public DType dtype() {
    return DType.INT32;
  }

  /**
   * The backing array, not a copy: {@link #size()} examples of {@link #exampleLength()} values
   * each. Loops read it while feeding batches; do not change it during training.
   */
  @Override
  public int[] values() {
    return values;
  }

  /** The value at position {@code offset} of example {@code example}. */
  public int get(int example, int offset) {
    int position = java.util.Objects.checkIndex(offset, exampleLength());
    return values[checkedIndex(example) * exampleLength() + position];
  }

  @Override
  long hashValues() {
    return Xxh64.hash(values);
  }

  @Override
  public IntColumn select(int[] indices) {
    int[] selected = new int[indices.length * exampleLength()];
    gather(values, exampleLength(), indices, selected);
    return new IntColumn(selected, exampleShape());
  }
}
