package io.github.tfloop.weights;

import java.util.List;

/**
 * Weights that do not fit the variables they were mapped onto. The message lists every problem
 * found, one a line, each with what was expected and what was found, followed by what the source
 * holds and which variables were asked for.
 */
public final class WeightMappingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  WeightMappingException(String message, List<String> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  /** Each problem, one line each, as the message lists them. */
  public List<String> problems() {
    return problems;
  }
}
