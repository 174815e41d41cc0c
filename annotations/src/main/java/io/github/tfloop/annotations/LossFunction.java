package io.github.tfloop.annotations;

/** The losses a {@link StandardLoss} can compute, with Keras's definitions. */
public enum LossFunction {
  /** Mean squared error; float labels of the output's example shape. */
  MEAN_SQUARED_ERROR,
  /** Mean absolute error; float labels of the output's example shape. */
  MEAN_ABSOLUTE_ERROR,
  /** Huber loss with {@link StandardLoss#delta()}; float labels of the output's example shape. */
  HUBER,
  /**
   * Cross-entropy against integer class labels of shape {@code {}}; output {@code [batch,
   * classes]}.
   */
  SPARSE_CATEGORICAL_CROSSENTROPY,
  /** Cross-entropy against one-hot float labels of shape {@code {classes}}. */
  CATEGORICAL_CROSSENTROPY,
  /** Binary cross-entropy against 0/1 float labels of the output's example shape. */
  BINARY_CROSSENTROPY
}
