package io.github.tfloop.train;

/**
 * A training or evaluation run failed; the message says where (epoch, batch, step) and what
 * TensorFlow reported. Nothing saved before the failure is touched.
 */
public class TrainingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public TrainingException(String message, Throwable cause) {
    super(message, cause);
  }

  public TrainingException(String message) {
    super(message);
  }
}
