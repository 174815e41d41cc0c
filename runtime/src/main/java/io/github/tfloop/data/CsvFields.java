package io.github.tfloop.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The field rules of tfloop's CSV readers, {@link CsvTable} and the streaming reader of {@code
 * io.github.tfloop.data.stream}, in one place so that the two read a file alike: fields are
 * separated by commas and trimmed; a field that starts with a quote (after spaces) runs to the
 * closing quote, keeps its spaces and commas, writes a quote inside as {@code ""}, and may span
 * lines where the reader allows it; a quote inside an unquoted field is text.
 */
public final class CsvFields {

  /** A decimal number as CSV files write them: no Java suffixes, hex, NaN or Infinity. */
  public static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** A whole number. */
  public static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

  private CsvFields() {}

  /** The lines after a record's first, for a quoted field that spans lines. */
  @FunctionalInterface
  public interface MoreLines {
    /** The next line, or {@code null} at the end of the input. */
    String next() throws IOException;
  }

  /**
   * The fields of the record that starts with {@code line}, line {@code lineNumber} of {@code
   * source}; a quoted field still open at the end of a line continues on the line {@code more}
   * gives ({@code () -> null}: records are one line each).
   *
   * @throws IOException naming the source and line, if a quoted field is never closed or has text
   *     after its closing quote
   */
  public static String[] split(String line, String source, long lineNumber, MoreLines more)
      throws IOException {
    List<String> fields = new ArrayList<>();
    long currentLine = lineNumber;
    int i = 0;
    while (true) {
      int start = i;
      while (start < line.length() && Character.isWhitespace(line.charAt(start))) {
        start++;
      }
      if (start < line.length() && line.charAt(start) == '"') {
        StringBuilder field = new StringBuilder();
        i = start + 1;
        while (true) {
          if (i == line.length()) {
            String next = more.next();
            if (next == null) {
              throw new IOException(
                  source
                      + ":"
                      + lineNumber
                      + ": the quoted field "
                      + (fields.size() + 1)
                      + " opened on this line is never closed");
            }
            line = next;
            currentLine++;
            field.append('\n');
            i = 0;
            continue;
          }
          char c = line.charAt(i++);
          if (c != '"') {
            field.append(c);
          } else if (i < line.length() && line.charAt(i) == '"') {
            field.append('"');
            i++;
          } else {
            break;
          }
        }
        while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        fields.add(field.toString());
        if (i == line.length()) {
          break;
        }
        if (line.charAt(i) != ',') {
          throw new IOException(
              source
                  + ":"
                  + currentLine
                  + ": field "
                  + fields.size()
                  + " has text after its closing quote (write a quote inside quotes as \"\")");
        }
        i++;
      } else {
        int comma = line.indexOf(',', i);
        fields.add(line.substring(i, comma < 0 ? line.length() : comma).trim());
        if (comma < 0) {
          break;
        }
        i = comma + 1;
      }
    }
    return fields.toArray(new String[0]);
  }
}
