package io.github.tfloop.monitor;

import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.History;
import io.github.tfloop.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes every epoch's values to a CSV file (Keras's {@code CSVLogger}): a header, then one row per
 * epoch with its number, each value the fit reports (losses, metrics, {@code val_} values, the
 * learning rate), the steps it ran and its duration in seconds.
 *
 * <pre>
 * epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,steps,seconds
 * 1,0.5123,0.8201,0.4410,0.8437,0.001,1875,4.21
 * </pre>
 *
 * <p>After each epoch the whole file is written anew from the fit's history (into a temporary file
 * renamed over it), so it is always complete, and a resumed fit's file holds the epochs before the
 * interruption once each. Values are written as Java's {@link Double#toString(double)}, which reads
 * back to the same double; a value an epoch does not have is an empty cell. Each fit rewrites the
 * file with its own epochs.
 *
 * <pre>{@code
 * LoopOptions.builder().listener(new CsvLogger(Path.of("runs/mlp/history.csv")))
 * }</pre>
 */
public final class CsvLogger implements TrainingListener {

  private final Path file;

  /** Logs into {@code file}; its directory is created if need be. */
  public CsvLogger(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The CSV file. */
  public Path file() {
    return file;
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    write(control.reportedNames(), control.history());
  }

  /** Writes the header and one row per epoch of {@code history}. */
  void write(List<String> reported, History history) {
    Set<String> columns = new LinkedHashSet<>(reported);
    for (EpochLog epoch : history.epochs()) {
      columns.addAll(epoch.metrics().keySet());
    }
    StringBuilder text = new StringBuilder("epoch");
    for (String column : columns) {
      text.append(',').append(quoted(column));
    }
    text.append(",steps,seconds\n");
    for (EpochLog epoch : history.epochs()) {
      text.append(epoch.epoch());
      for (String column : columns) {
        Double value = epoch.metrics().get(column);
        text.append(',').append(value == null ? "" : Double.toString(value));
      }
      text.append(',')
          .append(epoch.steps())
          .append(',')
          .append(epoch.duration().toNanos() / 1e9)
          .append('\n');
    }
    replace(text.toString());
  }

  private void replace(String content) {
    Path absolute = file.toAbsolutePath();
    Path directory = absolute.getParent();
    try {
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
      try {
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        try {
          Files.move(
              temporary,
              absolute,
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** A cell as RFC 4180 writes it: quoted if it holds a comma, a quote or a line break. */
  private static String quoted(String cell) {
    if (cell.indexOf(',') < 0
        && cell.indexOf('"') < 0
        && cell.indexOf('\n') < 0
        && cell.indexOf('\r') < 0) {
      return cell;
    }
    return '"' + cell.replace("\"", "\"\"") + '"';
  }

  /**
   * Reads a file this logger wrote: its rows, each a list of cells, the header first. Quoted cells
   * are unquoted.
   *
   * @throws UncheckedIOException if it cannot be read
   */
  public static List<List<String>> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    List<List<String>> rows = new ArrayList<>();
    List<String> row = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.add(cell.toString());
        cell.setLength(0);
      } else if (c == '\n') {
        row.add(cell.toString());
        cell.setLength(0);
        rows.add(row);
        row = new ArrayList<>();
      } else if (c != '\r') {
        cell.append(c);
      }
    }
    if (cell.length() > 0 || !row.isEmpty()) {
      row.add(cell.toString());
      rows.add(row);
    }
    return rows;
  }

  @Override
  public String toString() {
    return "CsvLogger[" + file + "]";
  }
}
