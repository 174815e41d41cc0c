package io.github.tfloop.weights;

import java.nio.file.Path;

/**
 * A weight file that cannot be read: missing, corrupt (a checksum does not match), or in a form
 * this package does not read. The message names the file and, where there is one, the entry.
 */
public final class WeightFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** A problem with {@code file}, described by {@code message}. */
  public WeightFileException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  /** A problem with {@code file}, described by {@code message}, caused by {@code cause}. */
  public WeightFileException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}
