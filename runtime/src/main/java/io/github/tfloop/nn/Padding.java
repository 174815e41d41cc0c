package io.github.tfloop.nn;

/** How convolution and pooling windows treat the borders. */
public enum Padding {
  /** Pad with zeros so that the output has {@code ceil(input / stride)} positions. */
  SAME,
  /** No padding: windows stay inside the input. */
  VALID
}
