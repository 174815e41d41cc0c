package io.github.tfloop.train;

/** How the loop calls TensorFlow for each step. */
public enum Execution {
  /**
   * {@code TF_SessionRun} through TensorFlow Java's C API bindings, with every argument prepared
   * once: no Java heap allocation per step. The default.
   */
  NATIVE,
  /** TensorFlow Java's {@code Session.Runner}, prepared once and reused. */
  RUNNER
}
