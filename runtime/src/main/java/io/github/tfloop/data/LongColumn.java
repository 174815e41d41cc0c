package io.github.tfloop.data;

/** A column of {@code long} values, fed to {@link DType#INT64} inputs. */
public final class LongColumn extends Column {

  private final long[] values;

  LongColumn(long[] values, int[] exampleShape) {
    super(values.length, exampleShape);
    this.values = values;
  }

  @Override
  public DType dtype() {
    return DType.INT64;
  }

  /**
   * The backing array, not a copy: {@link #size()} examples of {@link #exampleLength()} values
   * each. Loops read it while feeding batches; do not change it during training.
   */
  @Override
  public long[] values() {
    return values;
  }

  /** The value at position {@code offset} of example {@code example}. */
  public long get(int example, int offset) {
    int position = java.util.Objects.checkIndex(offset, exampleLength());
    return values[checkedIndex(example) * exampleLength() + position];
  }

  @Override
  long hashValues() {
    return Xxh64.hash(values);
  }

  @Override
  public LongColumn select(int[] indices) {
    long[] selected = new long[indices.length * exampleLength()];
    gather(values, exampleLength(), indices, selected);
    return new LongColumn(selected, exampleShape());
  }
}
