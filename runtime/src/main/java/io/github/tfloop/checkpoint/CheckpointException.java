package io.github.tfloop.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A checkpoint directory cannot be used or a checkpoint cannot be written: the directory is a file,
 * is read-only or cannot be created, or the disk filled up while a checkpoint was being written.
 * The message names the directory, what is wrong and, for a failed write, the free space left and
 * the newest checkpoint that is still intact (a failed write never touches the ones already there).
 */
public final class CheckpointException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  private final transient Path directory;

  /**
   * A failure in {@code directory}.
   *
   * @param message what is wrong, where, and what to do
   * @param directory the checkpoint directory
   * @param cause the I/O error underneath
   */
  public CheckpointException(String message, Path directory, IOException cause) {
    super(message, cause);
    this.directory = directory;
  }

  /** The checkpoint directory concerned. */
  public Path directory() {
    return directory;
  }
}
