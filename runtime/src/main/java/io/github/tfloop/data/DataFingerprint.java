package io.github.tfloop.data;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link Dataset} holds, in a few bytes: per column its name, element type, example shape,
 * number of examples and a 64-bit hash of its values ({@link Column#contentHash()}). A checkpoint
 * records the fingerprint of the training data so that a resumed fit can refuse different data,
 * saying what differs:
 *
 * <pre>{@code
 * String saved = train.fingerprint().encode();            // "xxh64 image:FLOAT32:28x28:60000:..."
 * ...
 * Optional<String> difference =
 *     train.fingerprint().describeDifference(DataFingerprint.decode(saved));
 * // "column 'image' has the same type, shape and size (60000 examples of FLOAT32 [28, 28])
 * //  but different values"
 * }</pre>
 *
 * <p>Hashes are computed once per column and remembered: a fingerprint of the full Fashion-MNIST
 * training set (60,000 28×28 float images) reads 188 MB once.
 */
public final class DataFingerprint {

  /** The name of the hash, written first by {@link #encode()}. */
  private static final String ALGORITHM = "xxh64";

  private static final Pattern COLUMN =
      Pattern.compile(
          "([^:\\s]*):(FLOAT32|FLOAT64|INT32|INT64):((?:\\d+(?:x\\d+)*)?):(-1|\\d+):([0-9a-f]{16})");

  /**
   * One column's part of a fingerprint.
   *
   * @param name the column's name in the dataset
   * @param dtype its element type
   * @param exampleShape the shape of one example ({@code []} for scalars)
   * @param size its number of examples; -1 for a streamed column whose files do not say
   * @param contentHash {@link Column#contentHash()}, or for a streamed column a hash of samples of
   *     its files ({@link DataStream#fingerprint()})
   */
  public record ColumnFingerprint(
      String name, DType dtype, int[] exampleShape, int size, long contentHash) {

    /** Checks and copies the parts. */
    public ColumnFingerprint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dtype, "dtype");
      exampleShape = exampleShape.clone();
    }

    /** The fingerprint of {@code column}, computing its hash if no call has yet. */
    static ColumnFingerprint of(String name, Column column) {
      return new ColumnFingerprint(
          name, column.dtype(), column.exampleShape(), column.size(), column.contentHash());
    }

    /** The shape of one example (a copy). */
    @Override
    public int[] exampleShape() {
      return exampleShape.clone();
    }

    /** {@code 60000 examples of FLOAT32 [28, 28]}. */
    String describeContents() {
      return (size < 0 ? "an unknown number of" : Integer.toString(size))
          + " examples of "
          + dtype
          + " "
          + InputSpec.describe(exampleShape);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof ColumnFingerprint that
          && name.equals(that.name)
          && dtype == that.dtype
          && Arrays.equals(exampleShape, that.exampleShape)
          && size == that.size
          && contentHash == that.contentHash;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, dtype, Arrays.hashCode(exampleShape), size, contentHash);
    }

    @Override
    public String toString() {
      return name + ": " + describeContents() + ", xxh64 " + hex(contentHash);
    }
  }

  private final List<ColumnFingerprint> columns;

  private DataFingerprint(List<ColumnFingerprint> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("a fingerprint needs at least one column");
    }
    Map<String, ColumnFingerprint> byName = new LinkedHashMap<>();
    for (ColumnFingerprint column : columns) {
      if (byName.put(column.name(), column) != null) {
        throw new IllegalArgumentException("column '" + column.name() + "' appears twice");
      }
    }
    this.columns = List.copyOf(columns);
  }

  /** A fingerprint of the given columns, in that order. */
  public static DataFingerprint of(List<ColumnFingerprint> columns) {
    return new DataFingerprint(columns);
  }

  /** The columns, in the order of the dataset (or of the names asked for). */
  public List<ColumnFingerprint> columns() {
    return columns;
  }

  /** The column of that name, if there is one. */
  public Optional<ColumnFingerprint> column(String name) {
    return columns.stream().filter(column -> column.name().equals(name)).findFirst();
  }

  /**
   * This fingerprint as one line of ASCII text that {@link #decode} reads back: {@code xxh64}, then
   * per column {@code name:TYPE:shape:size:hash}, separated by spaces, with the name URL-encoded
   * and the shape written {@code 28x28} (empty for scalars). For example {@code xxh64
   * image:FLOAT32:28x28:60000:1f2e3d4c5b6a7980 label:INT32::60000:0123456789abcdef}.
   */
  public String encode() {
    StringBuilder text = new StringBuilder(ALGORITHM);
    for (ColumnFingerprint column : columns) {
      text.append(' ')
          .append(URLEncoder.encode(column.name(), StandardCharsets.UTF_8))
          .append(':')
          .append(column.dtype())
          .append(':');
      int[] shape = column.exampleShape;
      for (int i = 0; i < shape.length; i++) {
        text.append(i > 0 ? "x" : "").append(shape[i]);
      }
      text.append(':').append(column.size()).append(':').append(hex(column.contentHash()));
    }
    return text.toString();
  }

  /**
   * Reads what {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException quoting the text, if it is not such a fingerprint
   */
  public static DataFingerprint decode(String text) {
    String[] parts = text.strip().split(" ");
    if (!parts[0].equals(ALGORITHM) || parts.length < 2) {
      throw new IllegalArgumentException(
          "not a data fingerprint (it must start with '" + ALGORITHM + " '): '" + text + "'");
    }
    List<ColumnFingerprint> columns = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      Matcher match = COLUMN.matcher(parts[i]);
      if (!match.matches()) {
        throw new IllegalArgumentException(
            "not a data fingerprint: column "
                + i
                + " is '"
                + parts[i]
                + "', not name:TYPE:shape:size:hash; the text is '"
                + text
                + "'");
      }
      int[] shape =
          match.group(3).isEmpty()
              ? new int[0]
              : Arrays.stream(match.group(3).split("x")).mapToInt(Integer::parseInt).toArray();
      columns.add(
          new ColumnFingerprint(
              URLDecoder.decode(match.group(1), StandardCharsets.UTF_8),
              DType.valueOf(match.group(2)),
              shape,
              Integer.parseInt(match.group(4)),
              Long.parseUnsignedLong(match.group(5), 16)));
    }
    try {
      return new DataFingerprint(columns);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not a data fingerprint: " + e.getMessage() + "; the text is '" + text + "'", e);
    }
  }

  /**
   * What differs between this data and the data {@code recorded} describes, or empty if they hold
   * the same columns with the same type, shape, size and values (column order aside). Each column
   * that differs is named, with the first of these that applies: gone, new, another type, another
   * shape, another number of examples ("size"), or the same type, shape and size but other values
   * ("content"). Several are joined with {@code "; "}.
   *
   * @param recorded an earlier fingerprint, such as one a checkpoint holds
   */
  public Optional<String> describeDifference(DataFingerprint recorded) {
    List<String> differences = new ArrayList<>();
    for (ColumnFingerprint before : recorded.columns) {
      Optional<ColumnFingerprint> found = column(before.name());
      if (found.isEmpty()) {
        differences.add(
            "column '"
                + before.name()
                + "' is missing (it held "
                + before.describeContents()
                + ")");
        continue;
      }
      ColumnFingerprint now = found.get();
      String name = "column '" + now.name() + "'";
      if (now.dtype() != before.dtype()) {
        differences.add(name + " holds " + now.dtype() + " values, not " + before.dtype());
      } else if (!Arrays.equals(now.exampleShape, before.exampleShape)) {
        differences.add(
            name
                + " has examples of shape "
                + InputSpec.describe(now.exampleShape)
                + ", not "
                + InputSpec.describe(before.exampleShape));
      } else if (now.size() != before.size()) {
        differences.add(name + " has " + now.size() + " examples, not " + before.size());
      } else if (now.contentHash() != before.contentHash()) {
        differences.add(
            name
                + " has the same type, shape and size ("
                + now.describeContents()
                + ") but different values");
      }
    }
    for (ColumnFingerprint now : columns) {
      if (recorded.column(now.name()).isEmpty()) {
        differences.add("column '" + now.name() + "' is new (" + now.describeContents() + ")");
      }
    }
    return differences.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", differences));
  }

  /**
   * XXH64 (seed 0) of {@code bytes}, the hash of {@link Column#contentHash()}: for fingerprints of
   * data that is not in a column, such as a streamed dataset's description of its files.
   */
  public static long xxh64(byte[] bytes) {
    return Xxh64.hash(bytes);
  }

  private static String hex(long hash) {
    String digits = Long.toHexString(hash);
    return "0".repeat(16 - digits.length()) + digits;
  }

  /** Equal when the same columns are in the same order (see {@link #describeDifference}). */
  @Override
  public boolean equals(Object other) {
    return other instanceof DataFingerprint that && columns.equals(that.columns);
  }

  @Override
  public int hashCode() {
    return columns.hashCode();
  }

  @Override
  public String toString() {
    return "DataFingerprint" + columns;
  }
}
