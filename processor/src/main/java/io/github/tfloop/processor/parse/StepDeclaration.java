package io.github.tfloop.processor.parse;

import java.util.List;
import javax.lang.model.element.AnnotationValue;

/**
 * The values of a {@code @Step} annotation, each with the {@link AnnotationValue} errors about it
 * are reported on ({@code null} where the default applies).
 */
public record StepDeclaration(
    String loss,
    AnnotationValue lossValue,
    String optimizer,
    AnnotationValue optimizerValue,
    double learningRate,
    AnnotationValue learningRateValue,
    List<String> variables,
    AnnotationValue variablesValue) {}
