package io.github.tfloop.processor.parse;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.VariableElement;

/**
 * A parameter of a {@code @Model} or {@code @Loss} method.
 *
 * @param input its {@code @Feature} or {@code @Label}, or {@code null}
 * @param inputAnnotations how many of {@code @Feature} and {@code @Label} it carries
 */
public record ParameterDeclaration(
    VariableElement element,
    String name,
    TypeShape type,
    InputDeclaration input,
    List<AnnotationMirror> inputAnnotations) {}
