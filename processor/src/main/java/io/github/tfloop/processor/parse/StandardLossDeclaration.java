package io.github.tfloop.processor.parse;

import io.github.tfloop.annotations.LossFunction;
import io.github.tfloop.annotations.LossReduction;
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
    LossFunction function,
    String name,
    AnnotationValue nameValue,
    String model,
    AnnotationValue modelValue,
    String label,
    AnnotationValue labelValue,
    List<Integer> labelShape,
    AnnotationValue labelShapeValue,
    boolean fromLogits,
    LossReduction reduction,
    double delta,
    AnnotationValue deltaValue) {

  /** Whether the label is an integer class index ({@code SPARSE_CATEGORICAL_CROSSENTROPY}). */
  public boolean sparse() {
    return function == LossFunction.SPARSE_CATEGORICAL_CROSSENTROPY;
  }
}
