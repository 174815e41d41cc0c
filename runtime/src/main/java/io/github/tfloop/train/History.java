package io.github.tfloop.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a fit returns: one {@link EpochLog} per epoch run. */
public final class History {

  private final List<EpochLog> epochs = new ArrayList<>();

  /** For the loop: records an epoch. */
  public void add(EpochLog log) {
    epochs.add(log);
  }

  /** Every epoch, in order. */
  public List<EpochLog> epochs() {
    return Collections.unmodifiableList(epochs);
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
    return text.toString();
  }
}
