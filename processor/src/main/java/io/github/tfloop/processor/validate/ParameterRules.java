package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import javax.lang.model.SourceVersion;

/** Rules for {@code @Feature} and {@code @Label} parameters, wherever they are. */
final class ParameterRules {

  private ParameterRules() {}

  static void checkInput(ParameterDeclaration parameter, Diagnostics diagnostics) {
    InputDeclaration input = parameter.input();
    if (parameter.inputAnnotations().size() > 1) {
      diagnostics.error(
          Message.INPUT_BOTH_ROLES, parameter.element(), parameter.inputAnnotations().get(1),
          parameter.name());
    }
    if (!parameter.type().isOperand()) {
      diagnostics.error(
          Message.INPUT_TYPE, parameter.element(), input.annotation(), input.annotationName(),
          parameter.type().display());
    }
    for (int dimension : input.shape()) {
      if (dimension <= 0) {
        diagnostics.error(
            Message.INPUT_SHAPE, parameter.element(), input.annotation(), input.shapeValue(),
            input.annotationName(), input.shape());
        break;
      }
    }
    if (input.nameValue() != null
        && (!SourceVersion.isIdentifier(input.name()) || SourceVersion.isKeyword(input.name()))) {
      diagnostics.error(
          Message.INPUT_NAME, parameter.element(), input.annotation(), input.nameValue(),
          input.annotationName(), input.name());
    }
  }
}
