package io.github.tfloop.processor.model;

import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.LossReduction;
import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.processor.model.Hyperparameters.Setting;
import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.Deprecation;
import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * Everything the writer needs to generate one loop class, decided and checked: no further judgement
 * happens while writing. It holds meaning (types, enum constants, typed values), never Java source:
 * turning it into text is the writer's business.
 *
 * @param definition the annotated class, the generated file's one originating element
 * @param loopClassName the generated class's simple name
 * @param definitionName the annotated class's name inside its package, as the loop reports it
 * @param models the models called on the features, first the primary one, whose output predict
 *     returns
 * @param functionModels the models losses apply through {@code Network} parameters
 * @param standardLoss the {@code @StandardLoss}, or {@code null}
 * @param values the names each epoch of a fit reports, in the runtime's order, each with the
 *     generated constant that holds it
 * @param definitionDeprecation whether the annotated class (or one it is nested in) is deprecated:
 *     code that names it warns
 */
public record LoopModel(
    TypeElement definition,
    String packageName,
    String loopClassName,
    String definitionName,
    int batchSize,
    long seed,
    List<Input> inputs,
    List<Call> models,
    List<Call> functionModels,
    StandardLoss standardLoss,
    List<Call> losses,
    List<Metric> metrics,
    List<Step> steps,
    List<ReportedValue> values,
    Deprecation definitionDeprecation) {

  /** The primary model: the first {@code @Model} called on the features. */
  public Call primaryModel() {
    return models.get(0);
  }

  /**
   * One input.
   *
   * @param constant the name of the generated {@code InputSpec} constant, such as {@code IMAGE}
   * @param local the name of its placeholder in the generated {@code create}
   */
  public record Input(
      String name,
      boolean label,
      DataType type,
      List<Integer> shape,
      String constant,
      String local) {}

  /**
   * A call of a {@code @Model} or {@code @Loss} method while the graph is built.
   *
   * @param local the variable its result (or, for a function model, its {@code Network}) is kept in
   * @param deprecation whether the method is deprecated: code that calls it warns
   */
  public record Call(
      String method,
      String local,
      DataType returns,
      List<Argument> arguments,
      Deprecation deprecation) {}

  /** What the generated code passes for one parameter. */
  public sealed interface Argument {}

  /** The loop's {@code Ops}. */
  public record OpsArgument() implements Argument {}

  /** The {@code Layers} of a model's variable group. */
  public record LayersArgument(String group) implements Argument {}

  /** An input's placeholder. */
  public record InputArgument(Input input) implements Argument {}

  /** The output of an earlier model call. */
  public record OutputArgument(Call model) implements Argument {}

  /** The operand a function model is applied to: its lambda's parameter. */
  public record FunctionInputArgument() implements Argument {}

  /** A function model, as the {@code Network} that applies it. */
  public record NetworkArgument(Call model) implements Argument {}

  /**
   * A {@code @StandardLoss}: a built-in loss of a model's output and a label.
   *
   * @param fromLogits whether cross-entropies read the output as logits
   * @param delta the Huber loss's threshold
   */
  public record StandardLoss(
      String name,
      LossFunction function,
      Call model,
      Input label,
      boolean fromLogits,
      double delta,
      LossReduction reduction) {}

  /**
   * A built-in metric of the primary output and the metric label.
   *
   * @param computation what it computes, chosen by the label's type and shape
   * @param reportedAs the name results report it under
   * @param fromLogits whether binary metrics read the output as logits
   */
  public record Metric(
      Computation computation,
      String reportedAs,
      boolean fromLogits,
      Call predictions,
      Input labels) {}

  /** What a metric computes. */
  public enum Computation {
    /** The arg-max of the output against an integer class label. */
    CLASS_ACCURACY,
    /** The arg-max of the output against the arg-max of a one-hot label. */
    CATEGORICAL_ACCURACY,
    /** Binary decisions against 0/1 labels. */
    BINARY_ACCURACY,
    /** True positives over predicted positives. */
    PRECISION,
    /** True positives over actual positives. */
    RECALL,
    /** The harmonic mean of precision and recall. */
    F1,
    /** The area under the ROC curve. */
    AUC,
    /** The mean absolute error over every element. */
    MEAN_ABSOLUTE_ERROR,
    /** The root mean squared error over every element. */
    ROOT_MEAN_SQUARED_ERROR
  }

  /**
   * A {@code @Step}: its optimizer and schedule with every parameter's value (defaults filled in,
   * in the order the runtime factories take them), and its clipping, {@code null} for none.
   */
  public record Step(
      String name,
      String loss,
      Optimizer optimizer,
      List<Setting> optimizerSettings,
      double learningRate,
      Schedule schedule,
      List<Setting> scheduleSettings,
      Clipping clipping,
      int every,
      List<String> variables) {}

  /**
   * A value each epoch of a fit reports, under {@code name}.
   *
   * @param constant the name of its constant in the generated {@code Values} class
   * @param of the loss, metric or step it belongs to ({@code null} for skipped batches)
   */
  public record ReportedValue(String name, String constant, ValueKind kind, String of) {}

  /** What a reported value is. */
  public enum ValueKind {
    /** A loss over the epoch's training batches. */
    LOSS,
    /** A metric over the epoch's training batches. */
    METRIC,
    /** Batches skipped as non-finite ({@code NonFinite.SKIP} only). */
    SKIPPED_BATCHES,
    /** A loss over the validation data. */
    VALIDATION_LOSS,
    /** A metric over the validation data. */
    VALIDATION_METRIC,
    /** A step's learning rate when the epoch ended. */
    LEARNING_RATE
  }

  /** How a step clips its gradients, and the limit. */
  public record Clipping(Mode mode, double limit) {

    /** The clipping attributes of {@code @Step}. */
    public enum Mode {
      /** {@code clipValue}: each element into {@code [-limit, limit]}. */
      VALUE,
      /** {@code clipNorm}: each gradient tensor to an L2 norm of at most {@code limit}. */
      NORM,
      /** {@code clipGlobalNorm}: all gradients together to a global norm of at most limit. */
      GLOBAL_NORM
    }
  }
}
