package io.github.tfloop.benchmarks;

import java.util.Locale;

/** The contenders' names, as rows of BENCHMARKS.md's tables: one spelling for every table. */
final class Labels {

  static final String HAND_WRITTEN = "hand-written TF Java (baseline)";
  static final String DJL = "DJL 0.36, PyTorch";

  private Labels() {}

  /** The generated {@code step()} under an execution, {@code "native"} or {@code "runner"}. */
  static String tfloopStep(String execution) {
    return "tfloop `step()`, " + execution.toLowerCase(Locale.ROOT);
  }

  /** The generated {@code fit} running {@code stepsPerExecution} batches per call. */
  static String tfloopFit(Object stepsPerExecution) {
    return "tfloop `fit`, " + stepsPerExecution + " batch(es)/call";
  }
}
