package io.github.tfloop.annotations;

/**
 * Learning-rate schedules, computed in the graph from the number of updates {@code t} the step has
 * made; {@link Step#learningRate()} is the initial rate. Parameters are set with {@link
 * Step#scheduleParams()} as {@code "name=value"}.
 */
public enum Schedule {
  /** The same rate throughout. No parameters. */
  CONSTANT,
  /**
   * {@code lr * decayRate^(t / decaySteps)}, the exponent rounded down if {@code staircase}.
   * Parameters: {@code decaySteps} and {@code decayRate} (required), {@code staircase=false}.
   */
  EXPONENTIAL_DECAY,
  /**
   * {@code lr} until the first boundary, then each of {@code values} in turn. Parameters: {@code
   * boundaries} and {@code values} (required, space-separated lists of the same length; boundaries
   * increase), e.g. {@code "boundaries=1000 5000"}, {@code "values=1e-4 1e-5"}.
   */
  PIECEWISE_CONSTANT,
  /**
   * {@code (lr - end) * (1 - min(t, decaySteps) / decaySteps)^power + end}. Parameters: {@code
   * decaySteps} (required), {@code endLearningRate=0.0001}, {@code power=1}.
   */
  POLYNOMIAL_DECAY,
  /**
   * Linear warm-up from 0 over {@code warmupSteps}, then cosine decay to {@code alpha * lr} over
   * {@code decaySteps}. Parameters: {@code decaySteps} (required), {@code alpha=0}, {@code
   * warmupSteps=0}.
   */
  COSINE_DECAY
}
