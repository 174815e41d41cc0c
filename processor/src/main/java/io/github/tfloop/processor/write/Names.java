package io.github.tfloop.processor.write;

import com.palantir.javapoet.ClassName;
import io.github.tfloop.processor.parse.DataType;

/**
 * Every type generated code refers to, by name. The processor never loads these classes, so
 * compiling a user project never loads TensorFlow's native library.
 */
public final class Names {

  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  static final ClassName PATH = ClassName.get("java.nio.file", "Path");
  static final ClassName LIST = ClassName.get("java.util", "List");

  static final ClassName OPERAND = ClassName.get("org.tensorflow", "Operand");
  static final ClassName OPS = ClassName.get("org.tensorflow.op", "Ops");

  static final ClassName INPUT_SPEC = ClassName.get("io.github.tfloop.data", "InputSpec");
  static final ClassName DTYPE = ClassName.get("io.github.tfloop.data", "DType");
  static final ClassName DATASET = ClassName.get("io.github.tfloop.data", "Dataset");
  static final ClassName LOOP_BUILDER =
      ClassName.get("io.github.tfloop.internal.build", "LoopBuilder");
  static final ClassName TRAINER = ClassName.get("io.github.tfloop.internal", "Trainer");
  static final ClassName BATCH = ClassName.get("io.github.tfloop.internal.session", "Batch");
  static final ClassName STEP_SPEC = ClassName.get("io.github.tfloop.internal.build", "StepSpec");
  static final ClassName METRICS = ClassName.get("io.github.tfloop.metrics", "Metrics");
  static final ClassName OPTIMIZERS = ClassName.get("io.github.tfloop.optim", "Optimizers");
  static final ClassName LEARNING_RATES = ClassName.get("io.github.tfloop.optim", "LearningRates");
  static final ClassName CLIPPING = ClassName.get("io.github.tfloop.optim", "Clipping");
  static final ClassName LOSSES = ClassName.get("io.github.tfloop.loss", "Losses");
  static final ClassName REDUCTION = ClassName.get("io.github.tfloop.loss", "Reduction");
  static final ClassName NETWORK = ClassName.get("io.github.tfloop.nn", "Network");
  static final ClassName MODEL_SUMMARY = ClassName.get("io.github.tfloop.nn", "ModelSummary");
  static final ClassName INITIAL_WEIGHTS =
      ClassName.get("io.github.tfloop.weights", "InitialWeights");
  static final ClassName WEIGHT_PLAN = ClassName.get("io.github.tfloop.weights", "WeightPlan");
  static final ClassName LOOP_OPTIONS = ClassName.get("io.github.tfloop.train", "LoopOptions");
  static final ClassName HISTORY = ClassName.get("io.github.tfloop.train", "History");
  static final ClassName EVALUATION = ClassName.get("io.github.tfloop.train", "Evaluation");

  private Names() {}

  /** The TensorFlow type class of a data type, such as {@code TFloat32}. */
  static ClassName tensorType(DataType type) {
    return ClassName.bestGuess(type.tensorClass());
  }
}
