package io.github.tfloop.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loss and metrics of a model over a whole data set.
 *
 * @param metrics each loss by its {@code @Loss} method's name, then each metric by name
 * @param examples how many examples were evaluated
 */
public record Evaluation(Map<String, Double> metrics, int examples) {

  public Evaluation {
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
          "no value '" + name + "' in this evaluation; there are " + metrics.keySet());
    }
    return value;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Evaluation[").append(examples).append(" examples");
    metrics.forEach((name, value) -> text.append(String.format(", %s=%.4f", name, value)));
    return text.append(']').toString();
  }
}
