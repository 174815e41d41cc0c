package io.github.tfloop.train;

/**
 * A copy of a loop's weights and model state (such as batch normalisation's moving averages) at one
 * moment, held in native memory until closed. Taken by {@link FitControl#snapshotWeights()} and put
 * back by {@link FitControl#restoreWeights}.
 */
public interface WeightSnapshot extends AutoCloseable {

  /** The global step at which it was taken. */
  long globalStep();

  /** Frees the copy. */
  @Override
  void close();
}
