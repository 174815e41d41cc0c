package io.github.tfloop.benchmarks;

/** One way of training a {@link Model}: a batch in, the batch's loss (before the update) out. */
interface Contender extends AutoCloseable {

  /** Trains on one batch of {@code labels.length} examples and returns its loss. */
  float step(float[] images, int[] labels);

  @Override
  void close();
}
