package io.github.tfloop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
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
 * Dataset data = Dataset.builder()
 *     .add("features", cars.floats("Cylinders", "Displacement", "Horsepower", "Weight_in_lbs"))
 *     .add("mpg", cars.floats("Miles_per_Gallon"))
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
   * Reads a CSV file.
   *
   * @throws IOException if the file cannot be read or a row has the wrong number of fields, naming
   *     the line
   */
  public static CsvTable read(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException(file + ": no such readable file");
    }
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(reader, file.toString());
    }
  }

  /** Reads CSV text from a stream (UTF-8); {@code source} names it in errors. */
  public static CsvTable read(InputStream in, String source) throws IOException {
    return read(new InputStreamReader(in, StandardCharsets.UTF_8), source);
  }

  private static CsvTable read(Reader reader, String source) throws IOException {
    BufferedReader lines = new BufferedReader(reader);
    String headerLine = lines.readLine();
    if (headerLine == null) {
      throw new IOException(source + ": empty file; a header row is required");
    }
    List<String> header = List.of(split(headerLine, source, 1));
    List<String[]> rows = new ArrayList<>();
    List<Integer> rowLines = new ArrayList<>();
    int number = 1;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      String[] fields = split(line, source, number);
      if (fields.length != header.size()) {
        throw new IOException(
            source
                + ":"
                + number
                + ": "
                + fields.length
                + " fields, but the header has "
                + header.size());
      }
      rows.add(fields);
      rowLines.add(number);
    }
    return new CsvTable(
        source, header, rows, rowLines.stream().mapToInt(Integer::intValue).toArray());
  }

  private static String[] split(String line, String source, int number) throws IOException {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString().trim());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new IOException(source + ":" + number + ": unterminated quoted field");
    }
    fields.add(field.toString().trim());
    return fields.toArray(new String[0]);
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
   * @throws IllegalArgumentException naming the file, line and column of a field that is not a
   *     number, or a column that does not exist
   */
  public FloatColumn floats(String... columns) {
    int[] indices = indices(columns);
    float[] values = new float[rows.size() * indices.length];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < indices.length; c++) {
        values[r * indices.length + c] = (float) number(r, indices[c]);
      }
    }
    return indices.length == 1 ? Column.of(values) : Column.of(values, indices.length);
  }

  /**
   * A column of category indices: each distinct value of {@code column}, in order of first
   * appearance, numbered from 0. {@link #categories} gives the names.
   */
  public IntColumn categories(String column) {
    int index = indices(new String[] {column})[0];
    Map<String, Integer> codes = categoryCodes(index);
    int[] values = new int[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
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

  private double number(int row, int column) {
    String field = rows.get(row)[column];
    try {
      return Double.parseDouble(field);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          source
              + ":"
              + lines[row]
              + ": column '"
              + header.get(column)
              + "' holds "
              + (field.isEmpty() ? "no value" : "'" + field + "', which is not a number")
              + (field.isEmpty()
                  ? "; drop such rows with withoutMissing(\"" + header.get(column) + "\")"
                  : ""));
    }
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
