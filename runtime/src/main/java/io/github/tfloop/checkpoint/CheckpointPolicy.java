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
 * is asked to stop (SIGTERM, Ctrl-C); the last three are kept.
 */
public final class CheckpointPolicy {

  private final Path directory;
  private final int everySteps;
  private final int everyEpochs;
  private final int keepLast;
  private final boolean onInterrupt;
  private final Duration interruptTimeout;

  private CheckpointPolicy(
      Path directory,
      int everySteps,
      int everyEpochs,
      int keepLast,
      boolean onInterrupt,
      Duration interruptTimeout) {
    this.directory = directory;
    this.everySteps = everySteps;
    this.everyEpochs = everyEpochs;
    this.keepLast = keepLast;
    this.onInterrupt = onInterrupt;
    this.interruptTimeout = interruptTimeout;
  }

  /**
   * Checkpoints in {@code directory}, created if need be: after every epoch, keeping the last 3.
   */
  public static CheckpointPolicy in(Path directory) {
    return new CheckpointPolicy(
        Objects.requireNonNull(directory, "directory"), 0, 1, 3, true, Duration.ofSeconds(60));
  }

  /** Also saves after every {@code steps} training steps (global steps); 0 turns it off. */
  public CheckpointPolicy everySteps(int steps) {
    requireNotNegative("everySteps", steps);
    return new CheckpointPolicy(
        directory, steps, everyEpochs, keepLast, onInterrupt, interruptTimeout);
  }

  /** Saves after every {@code epochs} epochs; 0 turns it off. */
  public CheckpointPolicy everyEpochs(int epochs) {
    requireNotNegative("everyEpochs", epochs);
    return new CheckpointPolicy(
        directory, everySteps, epochs, keepLast, onInterrupt, interruptTimeout);
  }

  /** Keeps the newest {@code count} checkpoints and deletes older ones; at least 1. */
  public CheckpointPolicy keepLast(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("keepLast must be at least 1, got " + count);
    }
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, count, onInterrupt, interruptTimeout);
  }

  /**
   * Whether a JVM shutdown (SIGTERM, SIGINT/Ctrl-C, {@code System.exit}) during a fit waits for the
   * current batch and writes a final checkpoint; on by default.
   */
  public CheckpointPolicy onInterrupt(boolean save) {
    return new CheckpointPolicy(
        directory, everySteps, everyEpochs, keepLast, save, interruptTimeout);
  }

  /** How long a shutdown waits for the final checkpoint; 60 seconds by default. */
  public CheckpointPolicy interruptTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("interruptTimeout must be positive, got " + timeout);
    }
    return new CheckpointPolicy(directory, everySteps, everyEpochs, keepLast, onInterrupt, timeout);
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
        + "]";
  }
}
