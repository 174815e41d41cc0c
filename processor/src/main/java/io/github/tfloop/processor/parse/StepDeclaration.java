package io.github.tfloop.processor.parse;

import java.util.List;
import javax.lang.model.element.AnnotationValue;

/**
 * The values of a {@code @Step} annotation, each with the {@link AnnotationValue} errors about it
 * are reported on ({@code null} where the default applies).
 *
 * <p>New {@code @Step} attributes (optimizer hyper-parameters, learning-rate schedules, gradient
 * clipping) become components here, read in {@code LoopParser.parseStep} and checked in {@code
 * StepValidator}.
 *
 * @param variableValues the {@code variables} elements as written, one per group
 */
public record StepDeclaration(
    String loss,
    AnnotationValue lossValue,
    String optimizer,
    AnnotationValue optimizerValue,
    double learningRate,
    AnnotationValue learningRateValue,
    List<String> variables,
    AnnotationValue variablesValue,
    List<AnnotationValue> variableValues) {}
