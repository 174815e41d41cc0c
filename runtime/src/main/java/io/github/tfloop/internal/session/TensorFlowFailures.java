package io.github.tfloop.internal.session;

import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Tells TensorFlow's exceptions from others. They have no common type: most extend {@code
 * TensorFlowException}, but an invalid argument (a bad label, an index out of range, a failed
 * assertion) is a {@code TFInvalidArgumentException}, an {@code IllegalArgumentException}, and an
 * unimplemented op a {@code TFUnimplementedException}, an {@code UnsupportedOperationException}.
 */
public final class TensorFlowFailures {

  private TensorFlowFailures() {}

  /** Whether TensorFlow's runtime threw {@code e} (a failed session run, for one). */
  public static boolean isFromTensorFlow(RuntimeException e) {
    return e instanceof TensorFlowException
        || e instanceof TFInvalidArgumentException
        || e instanceof TFUnimplementedException;
  }
}
