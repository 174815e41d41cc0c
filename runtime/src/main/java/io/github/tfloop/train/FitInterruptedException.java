package io.github.tfloop.train;

import java.nio.file.Path;

/**
 * The JVM began to shut down (SIGTERM, Ctrl-C, {@code System.exit}) during a fit with checkpoints:
 * the fit wrote a final checkpoint after its current batch and stopped, so that the code after
 * {@code fit} does not take a half-trained model for a trained one. {@code resume} continues from
 * {@link #checkpoint()}.
 */
public final class FitInterruptedException extends TrainingException {

  private static final long serialVersionUID = 1L;

  private final transient Path checkpoint;

  public FitInterruptedException(String message, Path checkpoint) {
    super(message);
    this.checkpoint = checkpoint;
  }

  /** The checkpoint that holds the fit as it was when interrupted. */
  public Path checkpoint() {
    return checkpoint;
  }
}
