package io.github.tfloop.internal.session;

import org.tensorflow.Tensor;

/**
 * One {@code Session.run} prepared once and repeated: the placeholders it feeds, the ops it runs
 * and the scalar it may fetch. Feeds are bound to tensors that the caller refills between runs.
 */
public abstract class Program implements AutoCloseable {

  /** Feeds {@code tensor} to the program's {@code index}-th placeholder from the next run on. */
  public abstract void bind(int index, Tensor tensor);

  /** Runs the program, discarding any fetch. */
  public abstract void run();

  /**
   * Runs the program and returns its one fetched output, a float scalar.
   *
   * @throws IllegalStateException if the program fetches nothing
   */
  public abstract float runAndFetchScalar();

  @Override
  public abstract void close();
}
