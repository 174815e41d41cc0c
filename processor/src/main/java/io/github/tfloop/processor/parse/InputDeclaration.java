package io.github.tfloop.processor.parse;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;

/**
 * A {@code @Feature} or {@code @Label} annotation on a parameter.
 *
 * @param label whether it is a {@code @Label}
 * @param name the declared name, or the parameter's name when none is declared
 * @param shape the example shape, as declared
 * @param nameValue the {@code name} value when it was given, else {@code null}
 * @param shapeValue the {@code shape} value when it was given, else {@code null}
 * @param dimensionValues the {@code shape} elements as written, one per dimension
 */
public record InputDeclaration(
    boolean label,
    AnnotationMirror annotation,
    String name,
    List<Integer> shape,
    AnnotationValue nameValue,
    AnnotationValue shapeValue,
    List<AnnotationValue> dimensionValues) {

  /** {@code @Label} or {@code @Feature}. */
  public String annotationName() {
    return label ? "@Label" : "@Feature";
  }

  /** The shape as messages show it: {@code [28, 28]}, or {@code scalar}. */
  public String displayShape() {
    return displayShape(shape);
  }

  /** A shape as messages show an input's: {@code [28, 28]}, or {@code scalar}. */
  public static String displayShape(List<Integer> shape) {
    return shape.isEmpty() ? "scalar" : shape.toString();
  }
}
