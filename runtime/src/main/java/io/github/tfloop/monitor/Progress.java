package io.github.tfloop.monitor;

import io.github.tfloop.train.EpochLog;
import io.github.tfloop.train.FitControl;
import io.github.tfloop.train.TrainingListener;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows each epoch's progress: steps done, steps per second, time left and the running loss. On a
 * terminal it is a progress bar redrawn in place (the {@code me.tongfei:progressbar} library);
 * elsewhere (CI, a log file) it prints a plain line at intervals instead:
 *
 * <pre>
 * epoch 2/10  batch 900/1688 (53%)  1210.4 steps/s  ETA 0:00:01  loss 0.3391
 * </pre>
 *
 * The running loss is read from the graph at most every {@code refresh} interval; between reads a
 * batch costs one clock read. At each epoch's end it shows the epoch's loss and, when the fit has
 * validation data, every validation value:
 *
 * <pre>
 * epoch 2/10  batch 1688/1688 (100%)  1210.4 steps/s  ETA 0:00:00  loss 0.3391  val_loss 0.3602  val_accuracy 0.8713
 * </pre>
 */
public final class Progress implements TrainingListener {

  private final PrintStream out;
  private final boolean bar;
  private final long refreshNanos;
  private ProgressBar progressBar;
  private long epochStarted;
  private int firstBatch;
  private long lastRefresh;
  private String loss = "";

  private Progress(PrintStream out, boolean bar, Duration refresh) {
    this.out = Objects.requireNonNull(out, "out");
    this.bar = bar;
    if (refresh.isNegative()) {
      throw new IllegalArgumentException("refresh must not be negative, got " + refresh);
    }
    this.refreshNanos = refresh.toNanos();
  }

  /**
   * A bar on standard error when it is a terminal, otherwise a plain line on standard output every
   * 10 seconds.
   */
  public static Progress toConsole() {
    return Terminals.isInteractive() ? bar(System.err) : lines(System.out, Duration.ofSeconds(10));
  }

  /** A progress bar redrawn on {@code out}, its loss refreshed every half second. */
  public static Progress bar(PrintStream out) {
    return new Progress(out, true, Duration.ofMillis(500));
  }

  /** A plain line on {@code out} every {@code interval}, and one at each epoch's end. */
  public static Progress lines(PrintStream out, Duration interval) {
    return new Progress(out, false, interval);
  }

  @Override
  public void onEpochBegin(FitControl control, int epoch) {
    epochStarted = System.nanoTime();
    lastRefresh = epochStarted;
    firstBatch = -1;
    loss = "";
    if (bar) {
      progressBar =
          new ProgressBarBuilder()
              .setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, control.epochs()))
              .setInitialMax(control.batchesPerEpoch())
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit(" steps", 1)
              .showSpeed()
              .setUpdateIntervalMillis(200)
              .setConsumer(new ConsoleProgressBarConsumer(out))
              .build();
    }
  }

  @Override
  public void onBatchEnd(FitControl control, int epoch, int batch) {
    if (firstBatch < 0) {
      firstBatch = batch - 1; // a resumed epoch starts past its first batches
    }
    if (progressBar != null) {
      progressBar.stepTo(batch);
    }
    long now = System.nanoTime();
    if (now - lastRefresh >= refreshNanos) {
      lastRefresh = now;
      loss = runningLoss(control.currentMetrics());
      if (progressBar != null) {
        progressBar.setExtraMessage(loss);
      } else {
        out.println(line(epoch, control, batch, now));
      }
    }
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    loss = runningLoss(log.metrics()) + validationValues(log.metrics());
    if (progressBar != null) {
      progressBar.setExtraMessage(loss);
      progressBar.close();
      progressBar = null;
    } else {
      out.println(line(log.epoch(), control, control.batchesPerEpoch(), System.nanoTime()));
    }
  }

  /**
   * The plain line for {@code batch} of {@code epoch}; without the total, the share and the time
   * left while the epoch's length is not known (a stream's first epoch).
   */
  private String line(int epoch, FitControl control, int batch, long now) {
    int total = control.batchesPerEpoch();
    double seconds = (now - epochStarted) / 1e9;
    double perSecond = seconds > 0 ? (batch - Math.max(0, firstBatch)) / seconds : 0;
    if (total < 0) {
      return String.format(
              Locale.ROOT,
              "epoch %d/%d  batch %d  %.1f steps/s  %s",
              epoch,
              control.epochs(),
              batch,
              perSecond,
              loss)
          .stripTrailing();
    }
    long left = perSecond > 0 ? Math.round((total - batch) / perSecond) : 0;
    return String.format(
            Locale.ROOT,
            "epoch %d/%d  batch %d/%d (%d%%)  %.1f steps/s  ETA %d:%02d:%02d  %s",
            epoch,
            control.epochs(),
            batch,
            total,
            100L * batch / total,
            perSecond,
            left / 3600,
            left / 60 % 60,
            left % 60,
            loss)
        .stripTrailing();
  }

  /** Every {@code val_} value, each as {@code " val_loss 0.3602"}. */
  private static String validationValues(Map<String, Double> metrics) {
    StringBuilder text = new StringBuilder();
    metrics.forEach(
        (name, value) -> {
          if (name.startsWith("val_")) {
            text.append(String.format(Locale.ROOT, "  %s %.4f", name, value));
          }
        });
    return text.toString();
  }

  private static String runningLoss(Map<String, Double> metrics) {
    Double loss = metrics.get("loss");
    if (loss == null && !metrics.isEmpty()) {
      Map.Entry<String, Double> first = metrics.entrySet().iterator().next();
      return String.format(Locale.ROOT, "%s %.4f", first.getKey(), first.getValue());
    }
    return loss == null ? "" : String.format(Locale.ROOT, "loss %.4f", loss);
  }
}
