package io.github.tfloop.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A data set: named {@link Column}s of equal size, one per loop input. A loop takes the columns it
 * needs by name and ignores the others.
 *
 * <pre>{@code
 * Dataset train = Dataset.builder()
 *     .add("image", Column.of(pixels, 28, 28))
 *     .add("label", Column.of(classes))
 *     .build();
 * }</pre>
 *
 * <p>Datasets are immutable views; the arrays behind their columns are not copied.
 *
 * <p>A dataset may instead be {@linkplain #streamed streamed}: read from files while a loop trains,
 * in bounded memory ({@code io.github.tfloop.data.stream.StreamingDataset} makes such datasets). A
 * loop's {@code fit}, {@code resume} and {@code evaluate} take both kinds; what needs the values in
 * memory ({@link #column}, {@link #select}, {@link #split}, a loop's {@code predict}) throws an
 * {@link IllegalStateException} for a streamed one, saying so.
 */
public final class Dataset {

  private final Map<String, Column> columns;
  private final int size;
  private final DataStream stream;

  private Dataset(Map<String, Column> columns, int size) {
    this.columns = Collections.unmodifiableMap(columns);
    this.size = size;
    this.stream = null;
  }

  private Dataset(DataStream stream) {
    Map<String, Column> none = new LinkedHashMap<>();
    this.columns = Collections.unmodifiableMap(none);
    this.size = -1;
    this.stream = stream;
  }

  /**
   * A dataset whose examples {@code stream} reads from files as a loop trains.
   *
   * @throws IllegalArgumentException if the stream has no columns or two of the same name
   */
  public static Dataset streamed(DataStream stream) {
    Objects.requireNonNull(stream, "stream");
    Set<String> names = new LinkedHashSet<>();
    for (InputSpec column : stream.columns()) {
      if (!names.add(column.name())) {
        throw new IllegalArgumentException(
            stream + " has two columns named '" + column.name() + "'");
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(stream + " has no columns");
    }
    return new Dataset(stream);
  }

  /** Whether this dataset is read from files as a loop trains, rather than held in memory. */
  public boolean isStreamed() {
    return stream != null;
  }

  /**
   * The stream this dataset reads.
   *
   * @throws IllegalStateException if it is held in memory
   */
  public DataStream stream() {
    if (stream == null) {
      throw new IllegalStateException("this dataset is held in memory, not streamed: " + this);
    }
    return stream;
  }

  /**
   * Throws for {@code what} on a streamed dataset, which needs the values in memory.
   *
   * @param what the operation, such as {@code "select examples"}
   */
  private void requireInMemory(String what) {
    if (stream != null) {
      throw new IllegalStateException(
          "cannot "
              + what
              + " of "
              + stream
              + ": a streamed dataset holds no values in memory (read the files into a Dataset"
              + " with IdxFile.dataset or CsvTable.dataset for that)");
    }
  }

  /** Starts a dataset. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Number of examples.
   *
   * @throws IllegalStateException if the dataset is streamed from files that do not say how many
   *     examples they hold before they are read (CSV, TFRecord), or hold more than an {@code int}
   *     counts: {@link DataStream#size()} tells, as a {@code long}, or -1
   */
  public int size() {
    if (stream != null) {
      long streamed = stream.size();
      if (streamed < 0 || streamed > Integer.MAX_VALUE) {
        throw new IllegalStateException(
            stream
                + (streamed < 0
                    ? " does not know how many examples it holds until it has read them"
                    : " holds " + streamed + " examples, more than an int counts")
                + "; stream().size() tells as a long, or -1");
      }
      return (int) streamed;
    }
    return size;
  }

  /** The column names, in the order they were added (or in the stream's order). */
  public Set<String> columnNames() {
    if (stream != null) {
      Set<String> names = new LinkedHashSet<>();
      stream.columns().forEach(column -> names.add(column.name()));
      return Collections.unmodifiableSet(names);
    }
    return columns.keySet();
  }

  /** Whether there is a column of that name. */
  public boolean hasColumn(String name) {
    return columnNames().contains(name);
  }

  /**
   * The column of that name.
   *
   * @throws IllegalArgumentException naming the columns there are, if there is none
   * @throws IllegalStateException if the dataset is streamed
   */
  public Column column(String name) {
    requireInMemory("read column '" + name + "'");
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
   * allocation) and remembered by the column, so datasets that share a column share the work. A
   * streamed dataset's fingerprint comes from its files instead ({@link DataStream#fingerprint()}).
   */
  public DataFingerprint fingerprint() {
    return fingerprint(columnNames());
  }

  /**
   * The fingerprint of the named columns, in the order given: the ones a loop reads, for example.
   *
   * @throws IllegalArgumentException naming the columns there are, if one is missing
   */
  public DataFingerprint fingerprint(Collection<String> names) {
    List<DataFingerprint.ColumnFingerprint> prints = new ArrayList<>();
    DataFingerprint streamed = stream == null ? null : stream.fingerprint();
    for (String name : names) {
      if (streamed == null) {
        prints.add(DataFingerprint.ColumnFingerprint.of(name, column(name)));
      } else {
        prints.add(
            streamed
                .column(name)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "no column '" + name + "'; the columns are " + columnNames())));
      }
    }
    return DataFingerprint.of(prints);
  }

  /**
   * The column that feeds {@code input}, checked against its type and example shape.
   *
   * @param where names this dataset in error messages, such as {@code "training data"}
   * @throws IllegalArgumentException naming the input, the dataset and the mismatch
   * @throws IllegalStateException if the dataset is streamed
   */
  public Column columnFor(InputSpec input, String where) {
    requireInMemory("take the column for " + input + " (" + where + ")");
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
    requireInMemory("select examples");
    for (int index : indices) {
      Objects.checkIndex(index, size);
    }
    Map<String, Column> selected = new LinkedHashMap<>();
    columns.forEach((name, column) -> selected.put(name, column.select(indices)));
    return new Dataset(selected, indices.length);
  }

  /** A dataset of the examples {@code from} (inclusive) to {@code to} (exclusive). */
  public Dataset slice(int from, int to) {
    requireInMemory("slice examples");
    Objects.checkFromToIndex(from, to, size);
    Map<String, Column> sliced = new LinkedHashMap<>();
    columns.forEach((name, column) -> sliced.put(name, column.slice(from, to)));
    return new Dataset(sliced, to - from);
  }

  /** The first {@code count} examples, or all of them if there are fewer. */
  public Dataset take(int count) {
    requireInMemory("take examples");
    return slice(0, Math.min(count, size));
  }

  /** The examples in an order shuffled by {@code seed}. */
  public Dataset shuffle(long seed) {
    requireInMemory("shuffle the examples (a loop shuffles streamed data as it reads it)");
    int[] order = identity(size);
    shuffle(order, new SplittableRandom(seed));
    return select(order);
  }

  /**
   * Splits off a validation set: a seeded shuffle, then the last {@code validationFraction} of the
   * examples.
   */
  public Split split(double validationFraction, long seed) {
    requireInMemory("split off a validation set");
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
    if (stream != null) {
      return "Dataset[" + stream + "]";
    }
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
