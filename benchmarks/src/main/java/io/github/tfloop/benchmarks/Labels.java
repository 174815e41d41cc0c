package io.github.tfloop.benchmarks;

import java.util.Locale;

/** The contenders' names, as rows of BENCHMARKS.md's tables: one spelling for every table. */
final class Labels {

  static final String HAND_WRITTEN = "hand-written TF Java (baseline)";
  static final String DJL = "DJL 0.36, PyTorch";
  static final String HAND_WRITTEN_REWRITER =
      "hand-written TF Java + Grappler's oneDNN bfloat16 rewriter";

  private Labels() {}

  /** The generated {@code step()} under an execution, {@code "native"} or {@code "runner"}. */
  static String tfloopStep(String execution) {
    return "tfloop `step()`, " + execution.toLowerCase(Locale.ROOT);
  }

  /** How a precision appears in the tables: {@code float32}, {@code mixed bfloat16}, ... */
  static String precision(io.github.tfloop.train.Precision precision) {
    return switch (precision) {
      case FLOAT32 -> "float32";
      case MIXED_BFLOAT16 -> "mixed bfloat16";
      case MIXED_FLOAT16 -> "mixed float16";
    };
  }

  /** The generated {@code fit} running {@code stepsPerExecution} batches per call. */
  static String tfloopFit(Object stepsPerExecution) {
    return "tfloop `fit`, " + stepsPerExecution + " batch(es)/call";
  }
}
