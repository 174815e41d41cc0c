package io.github.tfloop.monitor;

import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * Prints one line per epoch: its number, every loss and metric, and its duration.
 *
 * <pre>
 * epoch 3/10  loss 0.3012  accuracy 0.8901  val_loss 0.3301  val_accuracy 0.8812  (4.2 s)
 * </pre>
 */
public final class ConsoleLogger implements TrainingListener {

  private final PrintStream out;

  /** Prints to standard output. */
  public ConsoleLogger() {
    this(System.out);
  }

  public ConsoleLogger(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    out.println(format(log, control.epochs()));
  }

  /** The line printed for {@code log}. */
  static String format(EpochLog log, int epochs) {
    StringBuilder line = new StringBuilder();
    line.append(String.format(Locale.ROOT, "epoch %d/%d ", log.epoch(), epochs));
    log.metrics()
        .forEach((name, value) -> line.append(String.format(Locale.ROOT, " %s %.4f", name, value)));
    line.append(String.format(Locale.ROOT, "  (%.1f s)", log.duration().toNanos() / 1e9));
    return line.toString();
  }
}
