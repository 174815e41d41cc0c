package io.github.tfloop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file with a header row, read into memory: comma-separated, fields optionally in double
 * quotes (with {@code ""} for a quote inside). Columns become dataset columns by name:
 *
 * <pre>{@code
 * CsvTable cars = CsvTable.read(Path.of("cars.csv")).withoutMissing("Horsepower", "Miles_per_Gallon");
 * Dataset data = cars.dataset(
 *     FuelLoop.CAR, List.of("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"),
 *     FuelLoop.MPG, List.of("Miles_per_Gallon"));
 * }</pre>
 *
 * <p>where {@code FuelLoop.CAR} and {@code FuelLoop.MPG} are a generated loop's inputs; or column
 * by column, with any names:
 *
 * <pre>{@code
 * Dataset data = Dataset.builder()
 *     .add("features", cars.floats("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"))
 *     .add("origin", cars.categories("Origin"))
 *     .build();
 * }</pre>
 *
 * <p>Errors name the file, the line and the column.
 */
public final class CsvTable {

  private final String source;
  private final List<String> header;
  private final List<String[]> rows;
  private final int[] lines;

  private CsvTable(String source, List<String> header, List<String[]> rows, int[] lines) {
    this.source = source;
    this.header = header;
    this.rows = rows;
    this.lines = lines;
  }

  /**
   * Reads a CSV file (UTF-8; a byte-order mark is skipped). Blank lines are skipped; a quoted field
   * may span lines, and keeps the spaces inside its quotes; spaces around a field are dropped.
   *
   * @throws IOException naming the file and the line, if it cannot be read, is not UTF-8, has no
   *     header row or a column name twice, a row has the wrong number of fields, or a quoted field
   *     is not closed or has text after its closing quote
   */
  public static CsvTable read(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": not a regular file (a directory?)");
    }
    if (!Files.isReadable(file)) {
      throw new IOException(file + ": not readable (check its permissions)");
    }
    try {
      return read(Files.readAllBytes(file), file.toString());
    } catch (java.nio.file.FileSystemException e) {
      throw new IOException(file + ": cannot be read: " + e.getReason(), e);
    }
  }

  /**
   * Reads CSV text from a stream (UTF-8), as {@link #read(Path)} reads a file; {@code source} names
   * it in errors. The stream is not closed.
   */
  public static CsvTable read(InputStream in, String source) throws IOException {
    return read(in.readAllBytes(), source);
  }

  private static CsvTable read(byte[] bytes, String source) throws IOException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer text = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, text, true);
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new IOException(
          source + ":" + line + ": not valid UTF-8 text (save the file as UTF-8)");
    }
    decoder.flush(text);
    return read(new StringReader(text.flip().toString()), source);
  }

  private static CsvTable read(Reader reader, String source) throws IOException {
    Records records = new Records(new BufferedReader(reader), source);
    String[] headerFields = records.next();
    if (headerFields == null) {
      throw new IOException(source + ": empty file; a header row is required");
    }
    int headerLine = records.recordLine;
    for (int i = 0; i < headerFields.length; i++) {
      for (int j = 0; j < i; j++) {
        if (headerFields[i].equals(headerFields[j])) {
          throw new IOException(
              source
                  + ":"
                  + headerLine
                  + ": columns "
                  + (j + 1)
                  + " and "
                  + (i + 1)
                  + " are both named '"
                  + headerFields[i]
                  + "'");
        }
      }
    }
    List<String> header = List.of(headerFields);
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    for (String[] fields = records.next(); fields != null; fields = records.next()) {
      if (fields.length != header.size()) {
        throw new IOException(
            source
                + ":"
                + records.recordLine
                + ": "
                + fields.length
                + " fields, but the header has "
                + header.size());
      }
      rows.add(fields);
      rowLines.add(records.recordLine);
    }
    return new CsvTable(
        source, header, rows, rowLines.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Splits CSV text into records, counting lines for messages. */
  private static final class Records {
    private final BufferedReader lines;
    private final String source;
    private int lineNumber;

    /** The line the last record returned by {@link #next} starts on. */
    int recordLine;

    Records(BufferedReader lines, String source) {
      this.lines = lines;
      this.source = source;
    }

    private String readLine() throws IOException {
      String line = lines.readLine();
      if (line != null) {
        lineNumber++;
        if (lineNumber == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
      }
      return line;
    }

    /** The fields of the next non-blank record, or null at the end. */
    String[] next() throws IOException {
      String line;
      do {
        line = readLine();
        if (line == null) {
          return null;
        }
      } while (line.isBlank());
      recordLine = lineNumber;
      return CsvFields.split(line, source, recordLine, this::readLine);
    }
  }

  /** Where the table was read from. */
  public String source() {
    return source;
  }

  /** The column names, in file order. */
  public List<String> header() {
    return header;
  }

  /** Number of data rows. */
  public int size() {
    return rows.size();
  }

  /** The rows whose given columns all have a value (not an empty field). */
  public CsvTable withoutMissing(String... columns) {
    int[] indices = indices(columns);
    List<String[]> kept = new ArrayList<>();
    List<Integer> keptLines = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      boolean complete = true;
      for (int index : indices) {
        complete &= !rows.get(r)[index].isEmpty();
      }
      if (complete) {
        kept.add(rows.get(r));
        keptLines.add(lines[r]);
      }
    }
    return new CsvTable(
        source, header, kept, keptLines.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * The given numeric columns as one float column: a scalar per row for one name, a vector of
   * {@code columns.length} values per row for several.
   *
   * <p>A number is written in decimal, with an optional sign, fraction and exponent ({@code -1.5},
   * {@code 2e-3}). {@code NaN}, {@code Infinity}, hexadecimal and Java's {@code 1f}/{@code 1d} are
   * not accepted, nor a value outside the range of a float: an empty field is a missing value,
   * which {@link #withoutMissing} drops.
   *
   * @throws IllegalArgumentException naming the file, line and column of a field that is empty, not
   *     a number or not finite as a float, or a column that does not exist
   */
  public FloatColumn floats(String... columns) {
    int[] indices = indices(columns);
    float[] values = new float[rows.size() * indices.length];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < indices.length; c++) {
        values[r * indices.length + c] = number(r, indices[c]);
      }
    }
    return indices.length == 1 ? Column.of(values) : Column.of(values, indices.length);
  }

  /**
   * The given columns as a column that feeds {@code input}: one value per named column, in that
   * order, shaped as the input's examples (so a scalar input, or one of shape {@code [1]}, takes
   * one column). Values are read as numbers for a {@link DType#FLOAT32} or {@link DType#FLOAT64}
   * input, as {@link #floats} reads them, and as whole numbers for {@link DType#INT32} and {@link
   * DType#INT64}; names of classes become numbers through {@link #categories} instead.
   *
   * @throws IllegalArgumentException if the number of columns is not the number of values in one of
   *     the input's examples, a column does not exist, or a field is empty, not a number of the
   *     input's type, or out of its range, naming the file, line and column
   */
  public Column column(InputSpec input, String... columns) {
    int[] indices = indices(columns);
    if (indices.length != input.exampleLength()) {
      throw new IllegalArgumentException(
          "input '"
              + input.name()
              + "' takes "
              + input.exampleLength()
              + " values per example ("
              + InputSpec.describe(input.exampleShape())
              + ") but "
              + indices.length
              + (indices.length == 1 ? " column of " : " columns of ")
              + source
              + " were named: "
              + Arrays.toString(columns));
    }
    int width = indices.length;
    int[] shape = input.exampleShape();
    return switch (input.dtype()) {
      case FLOAT32 -> {
        float[] values = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < width; c++) {
            values[r * width + c] = number(r, indices[c]);
          }
        }
        yield Column.of(values, shape);
      }
      case FLOAT64 -> {
        double[] values = new double[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < width; c++) {
            values[r * width + c] = doubleNumber(r, indices[c]);
          }
        }
        yield Column.of(values, shape);
      }
      case INT32 -> {
        int[] values = new int[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < width; c++) {
            values[r * width + c] =
                (int) integer(r, indices[c], Integer.MIN_VALUE, Integer.MAX_VALUE, "an int");
          }
        }
        yield Column.of(values, shape);
      }
      case INT64 -> {
        long[] values = new long[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
          for (int c = 0; c < width; c++) {
            values[r * width + c] =
                integer(r, indices[c], Long.MIN_VALUE, Long.MAX_VALUE, "a long");
          }
        }
        yield Column.of(values, shape);
      }
    };
  }

  /**
   * A dataset of one column that feeds {@code input}, made of the named CSV columns as {@link
   * #column(InputSpec, String...)} makes it: the features of data to {@code predict}, say.
   *
   * @throws IllegalArgumentException as {@link #column(InputSpec, String...)} does
   */
  public Dataset dataset(InputSpec input, List<String> columns) {
    return Dataset.builder().add(input, column(input, columns.toArray(new String[0]))).build();
  }

  /**
   * A dataset of two columns, such as features and a target, each feeding its input and made of the
   * named CSV columns as {@link #column(InputSpec, String...)} makes it:
   *
   * <pre>{@code
   * Dataset cars = CsvTable.read(Path.of("cars.csv"))
   *     .withoutMissing("Horsepower", "Miles_per_Gallon")
   *     .dataset(FuelLoop.CAR, List.of("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"),
   *              FuelLoop.MPG, List.of("Miles_per_Gallon"));
   * }</pre>
   *
   * @throws IllegalArgumentException as {@link #column(InputSpec, String...)} does, or if both
   *     inputs have the same name
   */
  public Dataset dataset(
      InputSpec first, List<String> firstColumns, InputSpec second, List<String> secondColumns) {
    if (first.name().equals(second.name())) {
      throw new IllegalArgumentException(
          "both column lists would feed input '" + first.name() + "': name two different inputs");
    }
    return Dataset.builder()
        .add(first, column(first, firstColumns.toArray(new String[0])))
        .add(second, column(second, secondColumns.toArray(new String[0])))
        .build();
  }

  /**
   * A column of category indices: each distinct value of {@code column}, in order of first
   * appearance, numbered from 0. {@link #categoryNames} gives the names.
   *
   * @throws IllegalArgumentException naming the file, line and column of an empty field, or a
   *     column that does not exist
   */
  public IntColumn categories(String column) {
    int index = indices(new String[] {column})[0];
    Map<String, Integer> codes = categoryCodes(index);
    int[] values = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      if (rows.get(r)[index].isEmpty()) {
        throw missing(r, index);
      }
      values[r] = codes.get(rows.get(r)[index]);
    }
    return Column.of(values);
  }

  /**
   * The distinct values of {@code column}, numbered as {@link #categories(String)} numbers them.
   */
  public List<String> categoryNames(String column) {
    return List.copyOf(categoryCodes(indices(new String[] {column})[0]).keySet());
  }

  private Map<String, Integer> categoryCodes(int index) {
    Map<String, Integer> codes = new LinkedHashMap<>();
    for (String[] row : rows) {
      codes.putIfAbsent(row[index], codes.size());
    }
    return codes;
  }

  /**
   * A field that holds a decimal number.
   *
   * @throws IllegalArgumentException naming the line and column, if the field is empty or not a
   *     decimal number
   */
  private String decimal(int row, int column) {
    String field = rows.get(row)[column];
    if (field.isEmpty()) {
      throw missing(row, column);
    }
    if (!CsvFields.DECIMAL.matcher(field).matches()) {
      boolean nonFinite = field.matches("[+-]?(NaN|Infinity)");
      throw new IllegalArgumentException(
          where(row, column)
              + " holds '"
              + field
              + "', which is not a "
              + (nonFinite ? "finite " : "")
              + "number");
    }
    return field;
  }

  /** The float in a field; see {@link #decimal}. */
  private float number(int row, int column) {
    float value = Float.parseFloat(decimal(row, column));
    if (Float.isInfinite(value)) {
      throw outOfRange(row, column, "a float");
    }
    return value;
  }

  /** The double in a field; see {@link #decimal}. */
  private double doubleNumber(int row, int column) {
    double value = Double.parseDouble(decimal(row, column));
    if (Double.isInfinite(value)) {
      throw outOfRange(row, column, "a double");
    }
    return value;
  }

  /**
   * The whole number in a field, between {@code min} and {@code max}.
   *
   * @throws IllegalArgumentException naming the line and column, if the field is empty, not a whole
   *     number, or out of range
   */
  private long integer(int row, int column, long min, long max, String type) {
    String field = rows.get(row)[column];
    if (field.isEmpty()) {
      throw missing(row, column);
    }
    if (!CsvFields.INTEGER.matcher(field).matches()) {
      throw new IllegalArgumentException(
          where(row, column)
              + " holds '"
              + field
              + "', which is not a whole number"
              + (CsvFields.DECIMAL.matcher(field).matches()
                  ? ""
                  : "; for names of classes, use categories(\"" + header.get(column) + "\")"));
    }
    try {
      long value = Long.parseLong(field);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // out of the range of a long: reported below
    }
    throw outOfRange(row, column, type);
  }

  private IllegalArgumentException outOfRange(int row, int column, String type) {
    return new IllegalArgumentException(
        where(row, column)
            + " holds '"
            + rows.get(row)[column]
            + "', which is outside the range of "
            + type);
  }

  private String where(int row, int column) {
    return source + ":" + lines[row] + ": column '" + header.get(column) + "'";
  }

  private IllegalArgumentException missing(int row, int column) {
    return new IllegalArgumentException(
        where(row, column)
            + " holds no value; drop such rows with withoutMissing(\""
            + header.get(column)
            + "\")");
  }

  private int[] indices(String[] columns) {
    if (columns.length == 0) {
      throw new IllegalArgumentException("name at least one column");
    }
    int[] indices = new int[columns.length];
    for (int i = 0; i < columns.length; i++) {
      indices[i] = header.indexOf(columns[i]);
      if (indices[i] < 0) {
        throw new IllegalArgumentException(
            source + " has no column '" + columns[i] + "'; its columns are " + header);
      }
    }
    return indices;
  }

  @Override
  public String toString() {
    return "CsvTable[" + source + ", " + rows.size() + " rows, columns " + header + "]";
  }

  /** For tests: the raw fields of a row. */
  String[] row(int index) {
    return Arrays.copyOf(rows.get(index), header.size());
  }
}
