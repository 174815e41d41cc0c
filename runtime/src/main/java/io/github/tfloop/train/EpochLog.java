package io.github.tfloop.train;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The results of one epoch: training loss and metrics ({@code loss}, {@code accuracy}), and
 * validation ones prefixed {@code val_} when the fit had validation data.
 *
 * @param epoch the epoch, counting from 1
 * @param metrics every value, by name, in a stable order
 * @param steps training steps run this epoch
 * @param duration wall time of the epoch, validation included
 */
public record EpochLog(int epoch, Map<String, Double> metrics, int steps, Duration duration) {

  public EpochLog {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /**
   * The value of {@code name}.
   *
   * @throws IllegalArgumentException naming the values there are, if there is none of that name
   */
  public double get(String name) {
    Double value = metrics.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "no value '" + name + "' in epoch " + epoch + "; there are " + metrics.keySet());
    }
    return value;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("epoch ").append(epoch);
    metrics.forEach((name, value) -> text.append(String.format(" %s=%.4f", name, value)));
    return text.append(String.format(" (%d steps, %.1fs)", steps, duration.toMillis() / 1000.0))
        .toString();
  }
}
