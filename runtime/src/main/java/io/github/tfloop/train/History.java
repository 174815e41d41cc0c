package io.github.tfloop.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What a fit returns: one {@link EpochLog} per epoch run, the validations taken within epochs
 * ({@link LoopOptions.Builder#validateEverySteps}), and why the fit stopped before its last epoch,
 * if it did.
 */
public final class History {

  private final List<EpochLog> epochs = new ArrayList<>();
  private final List<ValidationLog> validations = new ArrayList<>();
  private String stopReason;

  /** For the loop: records an epoch. */
  public void add(EpochLog log) {
    epochs.add(log);
  }

  /** For the loop: records a validation taken within an epoch. */
  public void addValidation(ValidationLog log) {
    validations.add(log);
  }

  /** For the loop: records why the fit stopped before the end of its epochs. */
  public void stopped(String reason) {
    this.stopReason = reason;
  }

  /** Every epoch, in order. */
  public List<EpochLog> epochs() {
    return Collections.unmodifiableList(epochs);
  }

  /**
   * Every validation taken every {@link LoopOptions.Builder#validateEverySteps N} steps, in order;
   * empty without that option.
   */
  public List<ValidationLog> validations() {
    return Collections.unmodifiableList(validations);
  }

  /**
   * Why the fit stopped before its last epoch: a listener such as {@link EarlyStopping} (which says
   * which epoch's weights it restored), {@link LoopOptions.Builder#maxSteps maxSteps} or {@link
   * LoopOptions.Builder#maxTime maxTime}; empty if it ran all its epochs, or if a listener stopped
   * it without a reason ({@link FitControl#stop()}). A resumed fit that goes on training after a
   * stop at a limit has no reason until it stops again.
   */
  public Optional<String> stopReason() {
    return Optional.ofNullable(stopReason);
  }

  /**
   * The last epoch.
   *
   * @throws IllegalStateException if no epoch ran
   */
  public EpochLog last() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("no epoch ran");
    }
    return epochs.get(epochs.size() - 1);
  }

  /** The value of {@code name} in each epoch, in order. */
  public double[] values(String name) {
    double[] values = new double[epochs.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = epochs.get(i).get(name);
    }
    return values;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (EpochLog epoch : epochs) {
      text.append(epoch).append('\n');
    }
    if (stopReason != null) {
      text.append("stopped: ").append(stopReason).append('\n');
    }
    return text.toString();
  }
}
