package io.github.tfloop.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An in-memory data set: named {@link Column}s of equal size, one per loop input. A loop takes the
 * columns it needs by name and ignores the others.
 *
 * <pre>{@code
 * Dataset train = Dataset.builder()
 *     .add("image", Column.of(pixels, 28, 28))
 *     .add("label", Column.of(classes))
 *     .build();
 * }</pre>
 *
 * <p>Datasets are immutable views; the arrays behind their columns are not copied.
 */
public final class Dataset {

  private final Map<String, Column> columns;
  private final int size;

  private Dataset(Map<String, Column> columns, int size) {
    this.columns = Collections.unmodifiableMap(columns);
    this.size = size;
  }

  /** Starts a dataset. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of examples. */
  public int size() {
    return size;
  }

  /** The column names, in the order they were added. */
  public java.util.Set<String> columnNames() {
    return columns.keySet();
  }

  /** Whether there is a column of that name. */
  public boolean hasColumn(String name) {
    return columns.containsKey(name);
  }

  /**
   * The column of that name.
   *
   * @throws IllegalArgumentException naming the columns there are, if there is none
   */
  public Column column(String name) {
    Column column = columns.get(name);
    if (column == null) {
      throw new IllegalArgumentException(
          "no column '" + name + "'; the columns are " + columns.keySet());
    }
    return column;
  }

  /**
   * The fingerprint of every column, in order: names, types, shapes, sizes and hashes of the
   * values. Each column's hash is computed on the first call (one pass over its array, no
   * allocation) and remembered by the column, so datasets that share a column share the work.
   */
  public DataFingerprint fingerprint() {
    return fingerprint(columns.keySet());
  }

  /**
   * The fingerprint of the named columns, in the order given: the ones a loop reads, for example.
   *
   * @throws IllegalArgumentException naming the columns there are, if one is missing
   */
  public DataFingerprint fingerprint(Collection<String> names) {
    List<DataFingerprint.ColumnFingerprint> prints = new ArrayList<>();
    for (String name : names) {
      prints.add(DataFingerprint.ColumnFingerprint.of(name, column(name)));
    }
    return DataFingerprint.of(prints);
  }

  /**
   * The column that feeds {@code input}, checked against its type and example shape.
   *
   * @param where names this dataset in error messages, such as {@code "training data"}
   * @throws IllegalArgumentException naming the input, the dataset and the mismatch
   */
  public Column columnFor(InputSpec input, String where) {
    Column column = columns.get(input.name());
    if (column == null) {
      throw new IllegalArgumentException(
          where
              + " has no column '"
              + input.name()
              + "' for "
              + input
              + "; its columns are "
              + columns.keySet());
    }
    input.requireCompatible(column, where);
    return column;
  }

  /** A dataset of the examples at {@code indices}, in that order. */
  public Dataset select(int[] indices) {
    for (int index : indices) {
      Objects.checkIndex(index, size);
    }
    Map<String, Column> selected = new LinkedHashMap<>();
    columns.forEach((name, column) -> selected.put(name, column.select(indices)));
    return new Dataset(selected, indices.length);
  }

  /** A dataset of the examples {@code from} (inclusive) to {@code to} (exclusive). */
  public Dataset slice(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    Map<String, Column> sliced = new LinkedHashMap<>();
    columns.forEach((name, column) -> sliced.put(name, column.slice(from, to)));
    return new Dataset(sliced, to - from);
  }

  /** The first {@code count} examples, or all of them if there are fewer. */
  public Dataset take(int count) {
    return slice(0, Math.min(count, size));
  }

  /** The examples in an order shuffled by {@code seed}. */
  public Dataset shuffle(long seed) {
    int[] order = identity(size);
    shuffle(order, new SplittableRandom(seed));
    return select(order);
  }

  /**
   * Splits off a validation set: a seeded shuffle, then the last {@code validationFraction} of the
   * examples.
   */
  public Split split(double validationFraction, long seed) {
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validationFraction must be between 0 and 1 (exclusive), got " + validationFraction);
    }
    int validationSize = (int) Math.round(size * validationFraction);
    if (validationSize == 0 || validationSize == size) {
      throw new IllegalArgumentException(
          "a fraction of " + validationFraction + " of " + size + " examples leaves a part empty");
    }
    Dataset shuffled = shuffle(seed);
    int trainSize = size - validationSize;
    return new Split(shuffled.slice(0, trainSize), shuffled.slice(trainSize, size));
  }

  /** The two parts of {@link #split}. */
  public record Split(Dataset train, Dataset validation) {}

  static int[] identity(int size) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    return order;
  }

  /** Fisher-Yates shuffle of {@code order} in place. */
  public static void shuffle(int[] order, SplittableRandom random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Dataset[").append(size).append(" examples");
    columns.forEach(
        (name, column) ->
            text.append(", ")
                .append(name)
                .append(": ")
                .append(column.dtype())
                .append(' ')
                .append(InputSpec.describe(column.exampleShape())));
    return text.append(']').toString();
  }

  /** Collects columns; every column must hold the same number of examples. */
  public static final class Builder {
    private final Map<String, Column> columns = new LinkedHashMap<>();
    private int size = -1;

    private Builder() {}

    /** Adds a column. */
    public Builder add(String name, Column column) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(column, "column");
      if (columns.containsKey(name)) {
        throw new IllegalArgumentException("column '" + name + "' was added twice");
      }
      if (size >= 0 && column.size() != size) {
        throw new IllegalArgumentException(
            "column '"
                + name
                + "' has "
                + column.size()
                + " examples but the columns before it "
                + columns.keySet()
                + " have "
                + size);
      }
      size = column.size();
      columns.put(name, column);
      return this;
    }

    /** Adds a column for {@code input}, checked against its type and example shape. */
    public Builder add(InputSpec input, Column column) {
      input.requireCompatible(column, "dataset");
      return add(input.name(), column);
    }

    /** Adds {@code values} as the column feeding {@code input}. */
    public Builder add(InputSpec input, float[] values) {
      return add(input, Column.of(values, input.exampleShape()));
    }

    /** Adds {@code values} as the column feeding {@code input}. */
    public Builder add(InputSpec input, double[] values) {
      return add(input, Column.of(values, input.exampleShape()));
    }

    /** Adds {@code values} as the column feeding {@code input}. */
    public Builder add(InputSpec input, int[] values) {
      return add(input, Column.of(values, input.exampleShape()));
    }

    /** Adds {@code values} as the column feeding {@code input}. */
    public Builder add(InputSpec input, long[] values) {
      return add(input, Column.of(values, input.exampleShape()));
    }

    public Dataset build() {
      if (columns.isEmpty()) {
        throw new IllegalStateException("a dataset needs at least one column");
      }
      return new Dataset(new LinkedHashMap<>(columns), size);
    }
  }
}
