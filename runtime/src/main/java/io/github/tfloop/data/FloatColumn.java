package io.github.tfloop.data;

/** A column of {@code float} values, fed to {@link DType#FLOAT32} inputs. */
public final class FloatColumn extends Column {

  private final float[] values;

  FloatColumn(float[] values, int[] exampleShape) {
    super(values.length, exampleShape);
    this.values = values;
  }

  @Override
  public DType dtype() {
    return DType.FLOAT32;
  }

  /**
   * The backing array, not a copy: {@link #size()} examples of {@link #exampleLength()} values
   * each. Loops read it while feeding batches; do not change it during training.
   */
  @Override
  public float[] values() {
    return values;
  }

  /** The value at position {@code offset} of example {@code example}. */
  public float get(int example, int offset) {
    int position = java.util.Objects.checkIndex(offset, exampleLength());
    return values[checkedIndex(example) * exampleLength() + position];
  }

  @Override
  long hashValues() {
    return Xxh64.hash(values);
  }

  @Override
  public FloatColumn select(int[] indices) {
    float[] selected = new float[indices.length * exampleLength()];
    gather(values, exampleLength(), indices, selected);
    return new FloatColumn(selected, exampleShape());
  }
}
