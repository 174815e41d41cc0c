package io.github.tfloop.internal;

import org.tensorflow.Tensor;

/**
 * One {@code Session.run} prepared once and repeated: the placeholders it feeds, the ops it runs
 * and the scalar it may fetch. Feeds are bound to tensors that the caller refills between runs.
 */
abstract class Program implements AutoCloseable {

  /** Feeds {@code tensor} to the program's {@code index}-th placeholder from the next run on. */
  abstract void bind(int index, Tensor tensor);

  /** Runs the program, discarding any fetch. */
  abstract void run();

  /**
   * Runs the program and returns its one fetched output, a float scalar.
   *
   * @throws IllegalStateException if the program fetches nothing
   */
  abstract float runAndFetchScalar();

  @Override
  public abstract void close();
}
