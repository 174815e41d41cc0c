package io.github.tfloop.processor.parse;

import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;

/**
 * A {@code @StandardLoss} on the loop class: a built-in loss of a model's output and a label it
 * declares. Each value comes with the {@link AnnotationValue} errors about it are reported on
 * ({@code null} where the default applies).
 */
public record StandardLossDeclaration(
    AnnotationMirror annotation,
    String function,
    String name,
    AnnotationValue nameValue,
    String model,
    AnnotationValue modelValue,
    String label,
    AnnotationValue labelValue,
    List<Integer> labelShape,
    AnnotationValue labelShapeValue,
    boolean fromLogits,
    String reduction,
    double delta,
    AnnotationValue deltaValue) {

  /** Whether the label is an integer class index ({@code SPARSE_CATEGORICAL_CROSSENTROPY}). */
  public boolean sparse() {
    return function.equals("SPARSE_CATEGORICAL_CROSSENTROPY");
  }
}
