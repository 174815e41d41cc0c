package io.github.tfloop.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Stops training when a monitored value has not improved for {@code patience} epochs, and
 * optionally puts back the weights of the best epoch (Keras's {@code EarlyStopping}).
 *
 * <pre>{@code
 * EarlyStopping stopping = EarlyStopping.monitoring("val_loss").patience(3).restoreBestWeights(true).build();
 * LoopOptions options = LoopOptions.builder().epochs(50).listener(stopping).build();
 * }</pre>
 *
 * <p>An epoch improves on the best so far when it beats it by more than {@code minDelta}. Values
 * whose name ends in {@code accuracy}, {@code precision}, {@code recall}, {@code f1} or {@code auc}
 * improve upwards, others (losses and errors) downwards, unless a {@link Mode} is given.
 *
 * <p>When it stops the fit it logs why (logger {@code io.github.tfloop.train}, {@code INFO}) and
 * gives the same reason to the {@link History#stopReason() history}; when it puts weights back it
 * logs which epoch's, and {@link #restoredEpoch()} tells. The name it monitors is checked when
 * {@code fit} starts: a name the loop does not report is refused before anything trains.
 *
 * <p>Its state (best value and epoch, epochs without improvement) and, with {@code
 * restoreBestWeights}, the best weights themselves travel with checkpoints: a resumed fit stops
 * where the uninterrupted one would and ends with the same weights, bit for bit.
 */
public final class EarlyStopping implements StatefulListener {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.train");

  /** The direction in which the monitored value improves. */
  public enum Mode {
    /** Lower is better: losses, errors. */
    MIN,
    /** Higher is better: accuracy, AUC. */
    MAX,
    /** From the value's name. */
    AUTO
  }

  private final String monitor;
  private final int patience;
  private final double minDelta;
  private final boolean maximise;
  private final boolean restoreBestWeights;

  private double best;
  private int bestEpoch;
  private int epochsWithoutImprovement;
  private int stoppedEpoch;
  private int restoredEpoch;
  private WeightSnapshot bestWeights;

  private EarlyStopping(Builder builder) {
    this.monitor = builder.monitor;
    this.patience = builder.patience;
    this.minDelta = builder.minDelta;
    this.maximise =
        switch (builder.mode) {
          case MAX -> true;
          case MIN -> false;
          case AUTO -> improvesUpwards(builder.monitor);
        };
    this.restoreBestWeights = builder.restoreBestWeights;
    reset();
  }

  /** Starts an early stopping on the value {@code monitor}, such as {@code val_loss}. */
  public static Builder monitoring(String monitor) {
    return new Builder(monitor);
  }

  static boolean improvesUpwards(String name) {
    return io.github.tfloop.checkpoint.CheckpointPolicy.higherIsBetter(name);
  }

  private void reset() {
    best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    bestEpoch = 0;
    epochsWithoutImprovement = 0;
    stoppedEpoch = 0;
    restoredEpoch = 0;
    closeBestWeights();
  }

  /** The value it watches. */
  @Override
  public List<String> monitors() {
    return List.of(monitor);
  }

  @Override
  public void onTrainBegin(FitControl control) {
    reset();
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    double value = log.get(monitor);
    boolean improved = maximise ? value > best + minDelta : value < best - minDelta;
    if (improved) {
      best = value;
      bestEpoch = log.epoch();
      epochsWithoutImprovement = 0;
      if (restoreBestWeights) {
        closeBestWeights();
        bestWeights = control.snapshotWeights();
      }
    } else if (++epochsWithoutImprovement >= patience) {
      stoppedEpoch = log.epoch();
      String reason =
          String.format(
                  Locale.ROOT,
                  "early stopping after epoch %d: %s did not improve for %d epochs after epoch %d"
                      + " (best %.6g)",
                  stoppedEpoch,
                  monitor,
                  epochsWithoutImprovement,
                  bestEpoch,
                  best)
              + (restoreBestWeights && bestWeights != null
                  ? "; the weights of epoch " + bestEpoch + " are put back"
                  : "");
      LOG.log(System.Logger.Level.INFO, reason);
      control.stop(reason);
    }
  }

  @Override
  public void onTrainEnd(FitControl control, History history) {
    if (restoreBestWeights && bestWeights != null) {
      if (history.epochs().isEmpty() || history.last().epoch() != bestEpoch) {
        control.restoreWeights(bestWeights);
        restoredEpoch = bestEpoch;
        LOG.log(
            System.Logger.Level.INFO,
            () ->
                String.format(
                    Locale.ROOT,
                    "early stopping: restored the weights of epoch %d (%s %.6g)",
                    bestEpoch,
                    monitor,
                    best));
      }
      closeBestWeights();
    }
  }

  private void closeBestWeights() {
    if (bestWeights != null) {
      bestWeights.close();
      bestWeights = null;
    }
  }

  @Override
  public String stateKey() {
    return "early_stopping." + monitor;
  }

  @Override
  public Map<String, String> saveState() {
    return Map.of(
        "best", Double.toString(best),
        "best_epoch", Integer.toString(bestEpoch),
        "epochs_without_improvement", Integer.toString(epochsWithoutImprovement),
        "stopped_epoch", Integer.toString(stoppedEpoch),
        "restored_epoch", Integer.toString(restoredEpoch));
  }

  /** The best weights so far, when it restores them at the end. */
  @Override
  public Map<String, WeightSnapshot> saveSnapshots() {
    return restoreBestWeights && bestWeights != null
        ? Map.of("best_weights", bestWeights)
        : Map.of();
  }

  @Override
  public void restoreSnapshots(Map<String, WeightSnapshot> snapshots) {
    WeightSnapshot best = snapshots.get("best_weights");
    snapshots.forEach(
        (name, snapshot) -> {
          if (snapshot != best || !restoreBestWeights) {
            snapshot.close();
          }
        });
    if (restoreBestWeights && best != null) {
      closeBestWeights();
      bestWeights = best;
    }
  }

  @Override
  public void restoreState(Map<String, String> state) {
    best = Double.parseDouble(state.get("best"));
    bestEpoch = Integer.parseInt(state.get("best_epoch"));
    epochsWithoutImprovement = Integer.parseInt(state.get("epochs_without_improvement"));
    stoppedEpoch = Integer.parseInt(state.get("stopped_epoch"));
    restoredEpoch = Integer.parseInt(state.getOrDefault("restored_epoch", "0"));
  }

  /** The best value seen, or ±infinity before the first epoch. */
  public double best() {
    return best;
  }

  /** The epoch of the best value, or 0. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The epoch after which training was stopped, or 0 if it ran to the end. */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /**
   * The epoch whose weights it put back when training ended, or 0 if it put none back (not asked
   * to, or the last epoch was the best).
   */
  public int restoredEpoch() {
    return restoredEpoch;
  }

  /** The name of the value it watches, such as {@code val_loss}. */
  public String monitor() {
    return monitor;
  }

  /** Whether higher values of the monitored value are better. */
  public boolean maximises() {
    return maximise;
  }

  @Override
  public String toString() {
    return "EarlyStopping["
        + monitor
        + (maximise ? " max" : " min")
        + ", patience "
        + patience
        + ", minDelta "
        + minDelta
        + (restoreBestWeights ? ", restores best weights]" : "]");
  }

  /** Configures an {@link EarlyStopping}. */
  public static final class Builder {
    private final String monitor;
    private int patience = 5;
    private double minDelta;
    private Mode mode = Mode.AUTO;
    private boolean restoreBestWeights;

    private Builder(String monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
    }

    /** Epochs without improvement before stopping (default 5). */
    public Builder patience(int patience) {
      if (patience < 1) {
        throw new IllegalArgumentException("patience must be at least 1, got " + patience);
      }
      this.patience = patience;
      return this;
    }

    /** The smallest change that counts as an improvement (default 0). */
    public Builder minDelta(double minDelta) {
      if (!(minDelta >= 0)) {
        throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
      }
      this.minDelta = minDelta;
      return this;
    }

    /** The direction in which the value improves; by default ({@link Mode#AUTO}) from its name. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Whether to put back the weights of the best epoch when training ends (default false). */
    public Builder restoreBestWeights(boolean restore) {
      this.restoreBestWeights = restore;
      return this;
    }

    /** The early stopping configured. */
    public EarlyStopping build() {
      return new EarlyStopping(this);
    }
  }
}
