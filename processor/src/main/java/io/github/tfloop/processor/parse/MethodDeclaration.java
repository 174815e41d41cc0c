package io.github.tfloop.processor.parse;

import java.util.List;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * A method of a loop class carrying {@code @Model}, {@code @Loss} or {@code @Step}.
 *
 * @param role what its annotation makes it
 * @param annotation that annotation
 * @param otherRoles any further tfloop method annotation on the same method
 * @param checkedExceptions the checked exceptions its {@code throws} clause declares, as written
 * @param hasStatements whether its body holds statements ({@code false} where the compiler does not
 *     tell)
 * @param deprecation whether it is deprecated, which makes the generated code that calls it warn
 * @param step the {@code @Step} values, for a step; else {@code null}
 */
public record MethodDeclaration(
    ExecutableElement element,
    Role role,
    AnnotationMirror annotation,
    List<AnnotationMirror> otherRoles,
    String name,
    TypeShape returnType,
    List<ParameterDeclaration> parameters,
    Set<Modifier> modifiers,
    boolean generic,
    List<String> checkedExceptions,
    boolean hasStatements,
    Deprecation deprecation,
    StepDeclaration step) {

  /** {@code logits()}: the method's name as messages show it. */
  public String displayName() {
    return name + "()";
  }

  /** Whether it takes {@code Layers}, so that it can create trainable variables. */
  public boolean takesLayers() {
    return parameters.stream()
        .anyMatch(
            parameter ->
                parameter.input() == null && parameter.type().kind() == TypeShape.Kind.LAYERS);
  }

  /**
   * Whether this {@code @Model} is a function model: it takes an un-annotated {@code Operand}, its
   * input, and losses apply it through {@code Network<T>} parameters, as often as they like.
   */
  public boolean isFunctionModel() {
    return role == Role.MODEL && functionInput() != null;
  }

  /** The un-annotated operand parameter of a function model, or {@code null}. */
  public ParameterDeclaration functionInput() {
    if (role != Role.MODEL) {
      return null;
    }
    for (ParameterDeclaration parameter : parameters) {
      if (parameter.input() == null
          && (parameter.type().kind() == TypeShape.Kind.OPERAND
              || parameter.type().kind() == TypeShape.Kind.OPERAND_OF_OTHER)) {
        return parameter;
      }
    }
    return null;
  }

  /** The tfloop method annotations. */
  public enum Role {
    MODEL("@Model"),
    LOSS("@Loss"),
    STEP("@Step");

    private final String annotation;

    Role(String annotation) {
      this.annotation = annotation;
    }

    public String annotation() {
      return annotation;
    }
  }
}
