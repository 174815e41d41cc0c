package io.github.tfloop.train;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A training step met a NaN or infinite loss or gradient (or, with {@link
 * LoopOptions.Builder#debugNumerics}, any NaN or infinite value on the way) and was not applied.
 * The message names where and what; so do the accessors.
 */
public final class NonFiniteException extends TrainingException {

  private static final long serialVersionUID = 1L;

  private final String step;
  private final long globalStep;
  private final int epoch;
  private final int batch;
  private final String tensor;
  private final transient Path dump;

  /**
   * @param step the {@code @Step} whose loss or gradients were not finite
   * @param globalStep the 1-based number of the training batch, over the loop's life
   * @param epoch the epoch, from 1, or 0 outside {@code fit}
   * @param batch the batch within the epoch, from 1, or 0 outside {@code fit}
   * @param tensor the first non-finite tensor, in graph order, as {@code name (NaN)}
   * @param dump the directory the batch was written to, or {@code null}
   */
  public NonFiniteException(
      String message,
      String step,
      long globalStep,
      int epoch,
      int batch,
      String tensor,
      Path dump,
      Throwable cause) {
    super(message, cause);
    this.step = step;
    this.globalStep = globalStep;
    this.epoch = epoch;
    this.batch = batch;
    this.tensor = tensor;
    this.dump = dump;
  }

  /** The {@code @Step} whose update was refused. */
  public String step() {
    return step;
  }

  /** The 1-based number of the offending batch over the loop's life. */
  public long globalStep() {
    return globalStep;
  }

  /** The epoch of the offending batch, from 1; 0 for {@code step()} outside a fit. */
  public int epoch() {
    return epoch;
  }

  /** The offending batch within its epoch, from 1; 0 for {@code step()} outside a fit. */
  public int batch() {
    return batch;
  }

  /** The first non-finite tensor in graph order, such as {@code loss 'loss' (NaN)}. */
  public String tensor() {
    return tensor;
  }

  /** Where the offending batch was dumped, with {@link LoopOptions.Builder#debugNumerics}. */
  public Optional<Path> dump() {
    return Optional.ofNullable(dump);
  }
}
