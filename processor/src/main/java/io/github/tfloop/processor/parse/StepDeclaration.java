package io.github.tfloop.processor.parse;

import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import java.util.List;
import javax.lang.model.element.AnnotationValue;

/**
 * The values of a {@code @Step} annotation, each with the {@link AnnotationValue} errors about it
 * are reported on ({@code null} where the default applies). Array attributes also keep their
 * elements as written, so that an error can point at the one element at fault.
 *
 * @param optimizer the optimizer, {@code null} if it did not resolve
 * @param schedule the schedule, {@code null} if it did not resolve
 * @param variableValues the {@code variables} elements as written, one per group
 * @param params the optimizer hyper-parameters, {@code "name=value"} each
 * @param paramValues the {@code params} elements as written
 * @param scheduleParams the schedule's parameters, {@code "name=value"} each
 * @param scheduleParamValues the {@code scheduleParams} elements as written
 * @param clipping the clipping attributes that were set, by name ({@code clipNorm}), in attribute
 *     order, with their values
 */
public record StepDeclaration(
    String loss,
    AnnotationValue lossValue,
    Optimizer optimizer,
    AnnotationValue optimizerValue,
    List<String> params,
    List<AnnotationValue> paramValues,
    double learningRate,
    AnnotationValue learningRateValue,
    Schedule schedule,
    AnnotationValue scheduleValue,
    List<String> scheduleParams,
    List<AnnotationValue> scheduleParamValues,
    List<Clip> clipping,
    int every,
    AnnotationValue everyValue,
    List<String> variables,
    AnnotationValue variablesValue,
    List<AnnotationValue> variableValues) {

  /**
   * One clipping attribute that was set: {@code clipValue}, {@code clipNorm} or {@code
   * clipGlobalNorm}.
   */
  public record Clip(String attribute, double limit, AnnotationValue value) {}
}
