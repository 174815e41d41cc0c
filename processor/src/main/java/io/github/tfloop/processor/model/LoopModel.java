package io.github.tfloop.processor.model;

import io.github.tfloop.processor.parse.DataType;
import java.util.List;
import javax.lang.model.element.TypeElement;

/**
 * Everything the writer needs to generate one loop class, decided and checked: no further judgement
 * happens while writing.
 *
 * @param definition the annotated class, the generated file's one originating element
 * @param loopClassName the generated class's simple name
 * @param definitionName the annotated class's name inside its package, as the loop reports it
 * @param models the models called on the features, first the primary one, whose output predict
 *     returns
 * @param functionModels the models losses apply through {@code Network} parameters
 * @param standardLoss the {@code @StandardLoss}, or {@code null}
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
    List<Step> steps) {

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
   */
  public record Call(String method, String local, DataType returns, List<Argument> arguments) {}

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
   * A {@code @StandardLoss}: the runtime {@code Losses} method and its arguments after the
   * predictions and labels.
   *
   * @param options the arguments before the reduction, as Java source, such as {@code true}
   * @param reduction the {@code Reduction} constant, {@code MEAN} or {@code SUM}
   */
  public record StandardLoss(
      String name,
      String method,
      Call model,
      Input label,
      List<String> options,
      String reduction) {}

  /**
   * A built-in metric of the primary output and the metric label: the runtime {@code Metrics}
   * factory, its arguments, and the name it is reported under if the factory's differs.
   */
  public record Metric(
      String factory, String arguments, String reportedAs, Call predictions, Input labels) {}

  /**
   * A {@code @Step}, its optimizer and schedule as runtime factory calls with every argument, and
   * its clipping, {@code null} for none.
   */
  public record Step(
      String name,
      String loss,
      String optimizer,
      String optimizerFactory,
      List<String> optimizerArguments,
      String scheduleFactory,
      List<String> scheduleArguments,
      String clipping,
      Double clipLimit,
      int every,
      List<String> variables) {}
}
