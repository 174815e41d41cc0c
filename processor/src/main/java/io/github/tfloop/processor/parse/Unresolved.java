package io.github.tfloop.processor.parse;

import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * Something in a loop's declarations that did not resolve (yet), and where it is written: the
 * method or parameter whose type it is, or the annotation value.
 *
 * @param description what did not resolve, such as {@code the return type of logits()}
 * @param element the method, parameter or class it is on
 * @param annotation the annotation whose value it is, or {@code null}
 * @param value that value as written, or {@code null}
 */
public record Unresolved(
    String description, Element element, AnnotationMirror annotation, AnnotationValue value) {}
