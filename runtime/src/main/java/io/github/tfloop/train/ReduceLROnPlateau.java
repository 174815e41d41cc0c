package io.github.tfloop.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Lowers the learning rate when a monitored value has stopped improving (Keras's {@code
 * ReduceLROnPlateau}): after {@code patience} epochs without improvement, every step's learning
 * rate is multiplied by {@code factor}, then {@code cooldown} epochs pass before it counts again.
 *
 * <pre>{@code
 * ReduceLROnPlateau plateau = ReduceLROnPlateau.monitoring("val_loss").factor(0.5).patience(2).build();
 * LoopOptions options = LoopOptions.builder().epochs(30).listener(plateau).build();
 * }</pre>
 *
 * <p>It composes with the step's declared schedule: the rate of each update is the schedule's value
 * times a scale, a variable of the graph that starts at 1 and that this listener multiplies by
 * {@code factor} ({@link FitControl#setLearningRateScale}). A reduction never takes the rate below
 * {@code minLearningRate} (at the moment of the reduction; a decaying schedule may go lower later),
 * and a rate already at it is not reduced. The rate is in each epoch's log ({@code learning_rate})
 * and so in TensorBoard ({@code epoch_learning_rate}).
 *
 * <p>An epoch improves on the best so far when it beats it by more than {@code minDelta}; the
 * direction is taken from the value's name as {@link EarlyStopping} takes it, unless given. Its
 * state (best value, epochs without improvement, cooldown left) travels with checkpoints and the
 * scale is saved with the variables, so a resumed fit reduces where the uninterrupted one would.
 * Each reduction is logged (logger {@code io.github.tfloop.train}, {@code INFO}).
 */
public final class ReduceLROnPlateau implements StatefulListener {

  private static final System.Logger LOG = System.getLogger("io.github.tfloop.train");

  /**
   * One lowering of the learning rate.
   *
   * @param epoch the epoch after which it was lowered
   * @param step the step whose rate it is
   * @param from the rate before
   * @param to the rate after
   */
  public record Reduction(int epoch, String step, double from, double to) {}

  private final String monitor;
  private final double factor;
  private final int patience;
  private final int cooldown;
  private final double minDelta;
  private final double minLearningRate;
  private final boolean maximise;
  private final List<String> steps;

  private double best;
  private int epochsWithoutImprovement;
  private int cooldownLeft;
  private final List<Reduction> reductions = new ArrayList<>();

  private ReduceLROnPlateau(Builder builder) {
    this.monitor = builder.monitor;
    this.factor = builder.factor;
    this.patience = builder.patience;
    this.cooldown = builder.cooldown;
    this.minDelta = builder.minDelta;
    this.minLearningRate = builder.minLearningRate;
    this.maximise =
        switch (builder.mode) {
          case MAX -> true;
          case MIN -> false;
          case AUTO -> EarlyStopping.improvesUpwards(builder.monitor);
        };
    this.steps = List.copyOf(builder.steps);
    reset();
  }

  /** Starts a reduction on the plateaus of the value {@code monitor}, such as {@code val_loss}. */
  public static Builder monitoring(String monitor) {
    return new Builder(monitor);
  }

  private void reset() {
    best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    epochsWithoutImprovement = 0;
    cooldownLeft = 0;
    reductions.clear();
  }

  /** It sets each step's learning-rate scale. */
  @Override
  public boolean adjustsLearningRate() {
    return true;
  }

  /** The value it watches. */
  @Override
  public List<String> monitors() {
    return List.of(monitor);
  }

  /** The steps whose learning rates it lowers; empty for every step. */
  @Override
  public List<String> stepsNamed() {
    return steps;
  }

  @Override
  public void onTrainBegin(FitControl control) {
    reset();
  }

  @Override
  public void onEpochEnd(FitControl control, EpochLog log) {
    double value = log.get(monitor);
    if (cooldownLeft > 0) { // as Keras: the last epoch of a cooldown counts again
      cooldownLeft--;
      epochsWithoutImprovement = 0;
    }
    if (maximise ? value > best + minDelta : value < best - minDelta) {
      best = value;
      epochsWithoutImprovement = 0;
    } else if (cooldownLeft == 0 && ++epochsWithoutImprovement >= patience) {
      boolean reduced = false;
      for (String step : steps.isEmpty() ? control.steps() : steps) {
        reduced |= reduce(control, step, log.epoch());
      }
      if (reduced) {
        cooldownLeft = cooldown;
        epochsWithoutImprovement = 0;
      }
    }
  }

  /** Lowers {@code step}'s rate unless it is at the minimum already; whether it did. */
  private boolean reduce(FitControl control, String step, int epoch) {
    double rate = control.learningRate(step);
    if (!(rate > minLearningRate * (1 + 1e-6))) {
      return false;
    }
    double scale = control.learningRateScale(step);
    double scheduled = rate / scale;
    double newScale = Math.max(scale * factor, minLearningRate / scheduled);
    control.setLearningRateScale(step, newScale);
    double newRate = scheduled * newScale;
    reductions.add(new Reduction(epoch, step, rate, newRate));
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            String.format(
                Locale.ROOT,
                "ReduceLROnPlateau: %s did not improve for %d epochs (best %.6g); learning rate"
                    + " of %s %.6g -> %.6g after epoch %d",
                monitor,
                patience,
                best,
                step,
                rate,
                newRate,
                epoch));
    return true;
  }

  @Override
  public String stateKey() {
    return "reduce_lr_on_plateau." + monitor;
  }

  @Override
  public Map<String, String> saveState() {
    return Map.of(
        "best", Double.toString(best),
        "epochs_without_improvement", Integer.toString(epochsWithoutImprovement),
        "cooldown_left", Integer.toString(cooldownLeft));
  }

  @Override
  public void restoreState(Map<String, String> state) {
    best = Double.parseDouble(state.get("best"));
    epochsWithoutImprovement = Integer.parseInt(state.get("epochs_without_improvement"));
    cooldownLeft = Integer.parseInt(state.get("cooldown_left"));
  }

  /** The reductions of this fit so far, in order (those before a resume are not listed). */
  public List<Reduction> reductions() {
    return List.copyOf(reductions);
  }

  /** The best value seen, or ±infinity before the first epoch. */
  public double best() {
    return best;
  }

  /** The name of the value it watches. */
  public String monitor() {
    return monitor;
  }

  @Override
  public String toString() {
    return "ReduceLROnPlateau["
        + monitor
        + (maximise ? " max" : " min")
        + ", factor "
        + factor
        + ", patience "
        + patience
        + ", cooldown "
        + cooldown
        + ", minDelta "
        + minDelta
        + ", minLearningRate "
        + minLearningRate
        + (steps.isEmpty() ? "" : ", steps " + steps)
        + "]";
  }

  /** Configures a {@link ReduceLROnPlateau}; the defaults are Keras's. */
  public static final class Builder {
    private final String monitor;
    private double factor = 0.1;
    private int patience = 10;
    private int cooldown;
    private double minDelta = 1e-4;
    private double minLearningRate;
    private EarlyStopping.Mode mode = EarlyStopping.Mode.AUTO;
    private final List<String> steps = new ArrayList<>();

    private Builder(String monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
    }

    /** What the rate is multiplied by at each reduction, in (0, 1); 0.1 by default. */
    public Builder factor(double factor) {
      if (!(factor > 0 && factor < 1)) {
        throw new IllegalArgumentException("factor must be in (0, 1), got " + factor);
      }
      this.factor = factor;
      return this;
    }

    /** Epochs without improvement before a reduction; 10 by default. */
    public Builder patience(int patience) {
      if (patience < 1) {
        throw new IllegalArgumentException("patience must be at least 1, got " + patience);
      }
      this.patience = patience;
      return this;
    }

    /** Epochs after a reduction during which epochs without improvement are not counted; 0. */
    public Builder cooldown(int cooldown) {
      if (cooldown < 0) {
        throw new IllegalArgumentException("cooldown must be 0 or more, got " + cooldown);
      }
      this.cooldown = cooldown;
      return this;
    }

    /** The smallest change that counts as an improvement; 1e-4 by default. */
    public Builder minDelta(double minDelta) {
      if (!(minDelta >= 0)) {
        throw new IllegalArgumentException("minDelta must be >= 0, got " + minDelta);
      }
      this.minDelta = minDelta;
      return this;
    }

    /** The rate a reduction never goes below (Keras's {@code min_lr}); 0 by default. */
    public Builder minLearningRate(double rate) {
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("minLearningRate must be >= 0, got " + rate);
      }
      this.minLearningRate = rate;
      return this;
    }

    /** The direction in which the value improves; by default from its name. */
    public Builder mode(EarlyStopping.Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Reduces the rates of these {@code @Step}s only; by default of every step. */
    public Builder steps(String... steps) {
      this.steps.clear();
      this.steps.addAll(List.of(steps));
      return this;
    }

    /** The listener configured. */
    public ReduceLROnPlateau build() {
      return new ReduceLROnPlateau(this);
    }
  }
}
