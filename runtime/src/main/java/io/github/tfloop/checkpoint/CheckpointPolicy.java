package io.github.tfloop.checkpoint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * When and where a fit saves checkpoints. Immutable; start with {@link #in(Path)}.
 *
 * <pre>{@code
 * LoopOptions options = LoopOptions.builder()
 *     .epochs(10)
 *     .checkpoints(CheckpointPolicy.in(Path.of("checkpoints")).everySteps(500).keepLast(3))
 *     .build();
 * }</pre>
 *
 * <p>By default a checkpoint is written after every epoch, at the end of the fit, and when the JVM
 * is asked to stop (SIGTERM, Ctrl-C); the last three are kept. One fit at a time writes a directory
 * (it holds a lock on it); {@code fit} refuses a directory that holds checkpoints it did not write
 * unless told to {@link #startFresh()}, and a checkpoint that fails verification is moved into
 * {@code corrupt/}, never deleted.
 */
public final class CheckpointPolicy {

  private final Path directory;
  private final int everySteps;
  private final int everyEpochs;
  private final int keepLast;
  private final boolean onInterrupt;
  private final Duration interruptTimeout;
  private final boolean startFresh;

  private CheckpointPolicy(
      Path directory,
      int everySteps,
      int everyEpochs,
      int keepLast,
      boolean onInterrupt,
      Duration interruptTimeout,
      boolean startFresh) {
    this.directory = directory;
    this.everySteps = everySteps;
    this.everyEpochs = everyEpochs;
    this.keepLast = keepLast;
    this.onInterrupt = onInterrupt;
    this.interruptTimeout = interruptTimeout;
    this.startFresh = startFresh;
  }

  /**
   * Checkpoints in {@code directory}, created if need be: after every epoch, keeping the last 3.
   */
  public static CheckpointPolicy in(Path directory) {
    return new CheckpointPolicy(
        Objects.requireNonNull(directory, "directory"),
        0,
        1,
        3,
        true,
        Duration.ofSeconds(60),
        false);
  }

  /** Also saves after every {@code steps} training steps (global steps); 0 turns it off. */
  public CheckpointPolicy everySteps(int steps) {
    requireNotNegative("everySteps", steps);
    return new CheckpointPolicy(
        directory, steps, everyEpochs, keepLast, onInterrupt, interruptTimeout, startFresh);
  }

  /** Saves after every {@code epochs} epochs; 0 turns it off. */
  public CheckpointPolicy everyEpochs(int epochs) {
    requireNotNegative("everyEpochs", epochs);
    return new CheckpointPolicy(
        directory, everySteps, epochs, keepLast, onInterrupt, interruptTimeout, startFresh);
  }

  /**
   * Keeps the newest {@code count} checkpoints of the fit and deletes its older ones; at least 1.
   * Only checkpoints of this training are counted and deleted (those the fit wrote, and those of
   * the run it resumed); nothing else in the directory is.
   */
  public CheckpointPolicy keepLast(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("keepLast must be at least 1, got " + count);
    }
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, count, onInterrupt, interruptTimeout, startFresh);
  }

  /**
   * Whether a JVM shutdown (SIGTERM, SIGINT/Ctrl-C, {@code System.exit}) during a fit waits for the
   * current batch and writes a final checkpoint; on by default.
   */
  public CheckpointPolicy onInterrupt(boolean save) {
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, keepLast, save, interruptTimeout, startFresh);
  }

  /** How long a shutdown waits for the final checkpoint; 60 seconds by default. */
  public CheckpointPolicy interruptTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("interruptTimeout must be positive, got " + timeout);
    }
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, keepLast, onInterrupt, timeout, startFresh);
  }

  /**
   * Lets {@code fit} start over in a directory that holds checkpoints it did not write (another
   * model's, or an earlier run's): they are moved, untouched, into a new {@code previous-<n>/}
   * folder inside it (nothing is deleted), and the fit numbers its own from {@code ckpt-000001}.
   * Without it, {@code fit} refuses such a directory before training. {@code resume} refuses a
   * policy that starts afresh: it continues what is there.
   */
  public CheckpointPolicy startFresh() {
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, keepLast, onInterrupt, interruptTimeout, true);
  }

  public Path directory() {
    return directory;
  }

  public int everySteps() {
    return everySteps;
  }

  public int everyEpochs() {
    return everyEpochs;
  }

  public int keepLast() {
    return keepLast;
  }

  public boolean onInterrupt() {
    return onInterrupt;
  }

  public Duration interruptTimeout() {
    return interruptTimeout;
  }

  /** Whether {@code fit} moves checkpoints it did not write aside; see {@link #startFresh()}. */
  public boolean startsFresh() {
    return startFresh;
  }

  private static void requireNotNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be 0 (off) or more, got " + value);
    }
  }

  @Override
  public String toString() {
    return "CheckpointPolicy["
        + directory
        + ", everySteps="
        + everySteps
        + ", everyEpochs="
        + everyEpochs
        + ", keepLast="
        + keepLast
        + ", onInterrupt="
        + onInterrupt
        + (startFresh ? ", startFresh" : "")
        + "]";
  }
}
