package io.github.tfloop.loss;

/** How a loss turns per-example values into what it returns. */
public enum Reduction {
  /** The mean over the batch of the per-example losses: a scalar. The default. */
  MEAN,
  /** The sum over the batch: a scalar that grows with the batch size. */
  SUM,
  /** The per-example losses, a {@code [batch]} vector, to weight or combine before reducing. */
  NONE
}
