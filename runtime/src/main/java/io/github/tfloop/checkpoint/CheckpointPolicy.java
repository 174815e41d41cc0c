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
  private int keepBest;
  private String monitor;
  private boolean higherIsBetter;

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
            directory, steps, everyEpochs, keepLast, onInterrupt, interruptTimeout, startFresh)
        .bestFrom(this);
  }

  /** Saves after every {@code epochs} epochs; 0 turns it off. */
  public CheckpointPolicy everyEpochs(int epochs) {
    requireNotNegative("everyEpochs", epochs);
    return new CheckpointPolicy(
            directory, everySteps, epochs, keepLast, onInterrupt, interruptTimeout, startFresh)
        .bestFrom(this);
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
            directory, everySteps, everyEpochs, count, onInterrupt, interruptTimeout, startFresh)
        .bestFrom(this);
  }

  /**
   * Whether a JVM shutdown (SIGTERM, SIGINT/Ctrl-C, {@code System.exit}) during a fit waits for the
   * current batch and writes a final checkpoint; on by default.
   */
  public CheckpointPolicy onInterrupt(boolean save) {
    return new CheckpointPolicy(
            directory, everySteps, everyEpochs, keepLast, save, interruptTimeout, startFresh)
        .bestFrom(this);
  }

  /** How long a shutdown waits for the final checkpoint; 60 seconds by default. */
  public CheckpointPolicy interruptTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("interruptTimeout must be positive, got " + timeout);
    }
    return new CheckpointPolicy(
            directory, everySteps, everyEpochs, keepLast, onInterrupt, timeout, startFresh)
        .bestFrom(this);
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
            directory, everySteps, everyEpochs, keepLast, onInterrupt, interruptTimeout, true)
        .bestFrom(this);
  }

  /**
   * Also keeps the {@code count} checkpoints with the best values of {@code monitor} (such as
   * {@code val_loss}), besides the {@link #keepLast last} ones: a checkpoint is written after every
   * epoch (whatever {@link #everyEpochs} says) and records that epoch's value in its manifest;
   * older ones are deleted only if they are neither among the last nor among the best. Lower values
   * are better unless the name ends in {@code accuracy}, {@code precision}, {@code recall}, {@code
   * f1} or {@code auc} ({@link #higherIsBetter(String)}). {@code fit} refuses a name the loop does
   * not report before it trains. {@link CheckpointStore#best()} finds the best afterwards.
   *
   * @param count at least 1
   * @param monitor the value of each epoch's log to rank by
   */
  public CheckpointPolicy keepBest(int count, String monitor) {
    return keepBest(count, monitor, higherIsBetter(Objects.requireNonNull(monitor, "monitor")));
  }

  /**
   * {@link #keepBest(int, String)} with the direction given: {@code higherIsBetter} for values such
   * as accuracy, false for losses and errors.
   */
  public CheckpointPolicy keepBest(int count, String monitor, boolean higherIsBetter) {
    if (count < 1) {
      throw new IllegalArgumentException("keepBest must be at least 1, got " + count);
    }
    Objects.requireNonNull(monitor, "monitor");
    CheckpointPolicy policy = copy();
    policy.keepBest = count;
    policy.monitor = monitor;
    policy.higherIsBetter = higherIsBetter;
    return policy;
  }

  /**
   * Whether higher values of the value {@code name} are better: names ending in {@code accuracy},
   * {@code precision}, {@code recall}, {@code f1} or {@code auc} (any case); lower is better for
   * others (losses, errors). The rule {@code EarlyStopping} and {@link #keepBest(int, String)}
   * follow.
   */
  public static boolean higherIsBetter(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    for (String suffix : new String[] {"accuracy", "precision", "recall", "f1", "auc"}) {
      if (lower.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private CheckpointPolicy copy() {
    return new CheckpointPolicy(
            directory, everySteps, everyEpochs, keepLast, onInterrupt, interruptTimeout, startFresh)
        .bestFrom(this);
  }

  /** This policy with {@code other}'s best-checkpoint settings. */
  private CheckpointPolicy bestFrom(CheckpointPolicy other) {
    this.keepBest = other.keepBest;
    this.monitor = other.monitor;
    this.higherIsBetter = other.higherIsBetter;
    return this;
  }

  /** How many best checkpoints are kept besides the last ones; 0 unless {@link #keepBest}. */
  public int keepBest() {
    return keepBest;
  }

  /** The value best checkpoints are ranked by, or {@code null} unless {@link #keepBest}. */
  public String monitor() {
    return monitor;
  }

  /** Whether higher values of {@link #monitor()} are better. */
  public boolean monitorHigherIsBetter() {
    return higherIsBetter;
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
        + (keepBest > 0
            ? ", keepBest=" + keepBest + " by " + monitor + (higherIsBetter ? " max" : " min")
            : "")
        + "]";
  }
}
