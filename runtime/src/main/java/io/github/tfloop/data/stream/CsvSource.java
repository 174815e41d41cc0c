package io.github.tfloop.data.stream;

import io.github.tfloop.data.CsvFields;
import io.github.tfloop.data.InputSpec;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV files with a header row, one part per file, read with {@code CsvTable}'s rules: UTF-8 (a
 * byte-order mark skipped), fields separated by commas and optionally in double quotes ({@code ""}
 * for a quote inside, line breaks allowed inside), spaces around a field dropped, blank lines
 * skipped. The reader only finds where each record ends; the decoders split and parse them.
 */
final class CsvSource extends Source {

  private final List<Path> files;
  private final List<InputSpec> columns;
  private final List<List<String>> names;
  private final List<Part> parts = new ArrayList<>();

  /** Per file, its header's fields. */
  private final List<String[]> headers = new ArrayList<>();

  /** Per file and column, the indices of the CSV fields that feed it. */
  private final int[][][] fields;

  private final int recordBytes;

  CsvSource(List<Path> files, List<InputSpec> columns, List<List<String>> names)
      throws IOException {
    this.files = List.copyOf(files);
    this.columns = List.copyOf(columns);
    this.names = List.copyOf(names);
    for (int c = 0; c < columns.size(); c++) {
      InputSpec input = columns.get(c);
      if (names.get(c).size() != input.exampleLength()) {
        throw new IllegalArgumentException(
            "input '"
                + input.name()
                + "' takes "
                + input.exampleLength()
                + " values per example ("
                + InputSpec.describe(input.exampleShape())
                + ") but "
                + names.get(c).size()
                + (names.get(c).size() == 1 ? " column was" : " columns were")
                + " named: "
                + names.get(c));
      }
    }
    this.fields = new int[files.size()][columns.size()][];
    int width = 0;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      requireReadable(file);
      String[] header = readHeader(file);
      headers.add(header);
      width = Math.max(width, header.length);
      List<String> all = List.of(header);
      for (int c = 0; c < columns.size(); c++) {
        fields[f][c] = new int[names.get(c).size()];
        for (int k = 0; k < fields[f][c].length; k++) {
          String name = names.get(c).get(k);
          fields[f][c][k] = all.indexOf(name);
          if (fields[f][c][k] < 0) {
            throw new IllegalArgumentException(
                file + " has no column '" + name + "'; its columns are " + all);
          }
        }
      }
      parts.add(new Part(f, file.toString(), f, 0, -1));
    }
    this.recordBytes = 8 * width + 16;
  }

  private static String[] readHeader(Path file) throws IOException {
    try (Records records = new Records(file, new IoBuffers())) {
      Chunk chunk = new Chunk(1, List.of());
      if (!records.next(chunk, 0)) {
        throw new IOException(file + ": empty file; a header row is required");
      }
      String text = utf8(chunk.bytes, 0, chunk.length[0], file, records.line, null);
      String[] header = split(text, file, records.line);
      for (int i = 0; i < header.length; i++) {
        for (int j = 0; j < i; j++) {
          if (header[i].equals(header[j])) {
            throw new IOException(
                file
                    + ":"
                    + records.line
                    + ": columns "
                    + (j + 1)
                    + " and "
                    + (i + 1)
                    + " are both named '"
                    + header[i]
                    + "'");
          }
        }
      }
      return header;
    }
  }

  @Override
  String describe() {
    return files.size() + (files.size() == 1 ? " CSV file (" : " CSV files (") + names(files) + ")";
  }

  @Override
  List<InputSpec> columns() {
    return columns;
  }

  @Override
  List<Part> parts() {
    return parts;
  }

  @Override
  int recordBytes() {
    return recordBytes;
  }

  @Override
  void fingerprint(InputSpec column, DataOutputStream out) throws IOException {
    out.writeUTF("csv columns " + names.get(columns.indexOf(column)));
    for (Path file : files) {
      sample(file, out);
    }
  }

  @Override
  PartReader open(Part part, IoBuffers buffers) throws IOException {
    Records records = new Records(files.get(part.index()), buffers);
    try {
      Chunk header = new Chunk(1, List.of());
      records.next(header, 0); // checked when the source was made
    } catch (IOException | RuntimeException e) {
      records.close();
      throw e;
    }
    return new PartReader() {
      private long record;

      @Override
      public boolean next(Chunk into, long number) throws IOException {
        if (into != null) {
          into.beginRecord(number, part.index(), record, 0);
        }
        if (!records.next(into, number)) {
          return false;
        }
        if (into != null) {
          into.record[into.count - 1] = records.line; // a CSV record is named by its line
        }
        record++;
        return true;
      }

      @Override
      public void close() throws IOException {
        records.close();
      }
    };
  }

  /**
   * Finds the records of a CSV file: the bytes up to a line break outside quotes, blank lines
   * skipped; counts lines for messages.
   */
  private static final class Records implements AutoCloseable {
    private final Path file;
    private final FileInput in;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private long nextLine = 1;

    /** The line the last record found starts on. */
    long line;

    Records(Path file, IoBuffers buffers) throws IOException {
      this.file = file;
      this.in = new FileInput(file, 0, -1, 1 << 16, buffers);
      fill();
      if (limit >= 3
          && (buffer[0] & 0xff) == 0xEF
          && (buffer[1] & 0xff) == 0xBB
          && (buffer[2] & 0xff) == 0xBF) {
        position = 3; // a UTF-8 byte-order mark
      }
    }

    private boolean fill() throws IOException {
      position = 0;
      limit = Math.max(0, in.read(buffer, 0, buffer.length));
      return limit > 0;
    }

    /**
     * Moves past the next non-blank record; with {@code into}, appends its bytes (without the line
     * break) as a record begun by the caller ({@link Chunk#beginRecord}).
     */
    boolean next(Chunk into, long number) throws IOException {
      while (true) {
        if (position == limit && !fill()) {
          return false;
        }
        line = nextLine;
        int start = into == null ? 0 : into.used;
        boolean quoted = false;
        boolean blank = true;
        boolean ended = false;
        while (!ended) {
          if (position == limit && !fill()) {
            break;
          }
          int from = position;
          while (position < limit) {
            byte b = buffer[position++];
            if (b == '"') {
              quoted = !quoted;
              blank = false;
            } else if (b == '\n') {
              nextLine++;
              if (!quoted) {
                ended = true;
                break;
              }
            } else if (b != ' ' && b != '\t' && b != '\r') {
              blank = false;
            }
          }
          if (into != null) {
            int n = position - from - (ended ? 1 : 0);
            byte[] target = into.reserve(n);
            System.arraycopy(buffer, from, target, into.used, n);
            into.used += n;
          }
        }
        if (quoted) {
          throw new IOException(
              file + ":" + line + ": a quoted field opened on this line is never closed");
        }
        if (blank) {
          if (into != null) {
            into.used = start;
          }
          if (!ended) {
            return false; // blank text at the end of the file
          }
          continue;
        }
        if (into != null) {
          if (into.used > start && into.bytes[into.used - 1] == '\r') {
            into.used--;
          }
          into.finishRecord();
        }
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  @Override
  Decoder decoder(List<InputSpec> inputs) {
    int[] column = new int[inputs.size()];
    for (int i = 0; i < column.length; i++) {
      column[i] = columns.indexOf(inputs.get(i));
    }
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    return (chunk, k) -> {
      int file = chunk.part[k];
      Path path = files.get(file);
      long line = chunk.record[k];
      String text = utf8(chunk.bytes, chunk.start[k], chunk.length[k], path, line, utf8);
      String[] row = split(text, path, line);
      String[] header = headers.get(file);
      if (row.length != header.length) {
        throw new IllegalArgumentException(
            path + ":" + line + ": " + row.length + " fields, but the header has " + header.length);
      }
      for (int i = 0; i < column.length; i++) {
        InputSpec input = inputs.get(i);
        int[] indices = fields[file][column[i]];
        int at = k * indices.length;
        Object target = chunk.values[i];
        for (int j = 0; j < indices.length; j++) {
          String field = row[indices[j]];
          String name = header[indices[j]];
          switch (input.dtype()) {
            case FLOAT32 -> {
              float value = Float.parseFloat(decimal(field, path, line, name));
              if (Float.isInfinite(value)) {
                throw outOfRange(field, path, line, name, "a float");
              }
              ((float[]) target)[at + j] = value;
            }
            case FLOAT64 -> {
              double value = Double.parseDouble(decimal(field, path, line, name));
              if (Double.isInfinite(value)) {
                throw outOfRange(field, path, line, name, "a double");
              }
              ((double[]) target)[at + j] = value;
            }
            case INT32 ->
                ((int[]) target)[at + j] =
                    (int)
                        integer(
                            field,
                            path,
                            line,
                            name,
                            Integer.MIN_VALUE,
                            Integer.MAX_VALUE,
                            "an int");
            case INT64 ->
                ((long[]) target)[at + j] =
                    integer(field, path, line, name, Long.MIN_VALUE, Long.MAX_VALUE, "a long");
          }
        }
      }
    };
  }

  private static String utf8(
      byte[] bytes, int start, int length, Path file, long line, CharsetDecoder decoder)
      throws IOException {
    CharsetDecoder utf8 =
        decoder != null
            ? decoder
            : StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      CharBuffer text = utf8.reset().decode(ByteBuffer.wrap(bytes, start, length));
      return text.toString();
    } catch (CharacterCodingException e) {
      throw new IOException(file + ":" + line + ": not valid UTF-8 text (save the file as UTF-8)");
    }
  }

  /** The fields of one record, with {@code CsvTable}'s rules; a record is one line. */
  private static String[] split(String line, Path file, long lineNumber) throws IOException {
    return CsvFields.split(line, file.toString(), lineNumber, () -> null);
  }

  private static String decimal(String field, Path file, long line, String column) {
    if (field.isEmpty()) {
      throw missing(file, line, column);
    }
    if (!CsvFields.DECIMAL.matcher(field).matches()) {
      boolean nonFinite = field.matches("[+-]?(NaN|Infinity)");
      throw new IllegalArgumentException(
          file
              + ":"
              + line
              + ": column '"
              + column
              + "' holds '"
              + field
              + "', which is not a "
              + (nonFinite ? "finite " : "")
              + "number");
    }
    return field;
  }

  private static long integer(
      String field, Path file, long line, String column, long min, long max, String type) {
    if (field.isEmpty()) {
      throw missing(file, line, column);
    }
    if (!CsvFields.INTEGER.matcher(field).matches()) {
      throw new IllegalArgumentException(
          file
              + ":"
              + line
              + ": column '"
              + column
              + "' holds '"
              + field
              + "', which is not a whole number");
    }
    try {
      long value = Long.parseLong(field);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // out of the range of a long: reported below
    }
    throw outOfRange(field, file, line, column, type);
  }

  private static IllegalArgumentException outOfRange(
      String field, Path file, long line, String column, String type) {
    return new IllegalArgumentException(
        file
            + ":"
            + line
            + ": column '"
            + column
            + "' holds '"
            + field
            + "', which is outside the range of "
            + type);
  }

  private static IllegalArgumentException missing(Path file, long line, String column) {
    return new IllegalArgumentException(
        file
            + ":"
            + line
            + ": column '"
            + column
            + "' holds no value; a streamed CSV file must have a value in every field it reads"
            + " (drop such rows first, or read the file with CsvTable.withoutMissing)");
  }
}
