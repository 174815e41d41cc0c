package io.github.tfloop.train;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validation results taken within an epoch, every {@link LoopOptions.Builder#validateEverySteps
 * N} global steps.
 *
 * @param globalStep the global step after which the validation data was evaluated
 * @param epoch the epoch it falls in, counting from 1
 * @param batch the batches of that epoch trained by then
 * @param metrics every validation loss and metric, named as in {@link EpochLog} ({@code val_loss},
 *     {@code val_accuracy})
 * @param duration how long the evaluation took
 */
public record ValidationLog(
    long globalStep, int epoch, int batch, Map<String, Double> metrics, Duration duration) {

  public ValidationLog {
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
          "no value '"
              + name
              + "' at global step "
              + globalStep
              + "; there are "
              + metrics.keySet());
    }
    return value;
  }

  @Override
  public String toString() {
    StringBuilder text =
        new StringBuilder("validation at step ")
            .append(globalStep)
            .append(" (epoch ")
            .append(epoch)
            .append(", batch ")
            .append(batch)
            .append(')');
    metrics.forEach(
        (name, value) ->
            text.append(String.format(java.util.Locale.ROOT, " %s=%.4f", name, value)));
    return text.toString();
  }
}
