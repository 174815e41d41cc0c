package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import io.github.tfloop.processor.parse.TypeShape;

/** {@code @Model} methods: what they return and take. */
final class ModelValidator {

  private ModelValidator() {}

  static void check(MethodDeclaration method, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    TypeShape returns = method.returnType();
    if (!returns.isOperand() || !returns.dataType().isFloating()) {
      diagnostics.report(Message.MODEL_RETURN_TYPE, method.element(), returns.display());
    }
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        ParameterRules.checkInput(parameter, diagnostics);
        if (parameter.input().label()) {
          diagnostics.report(
              Message.LABEL_IN_MODEL, parameter.element(), parameter.input().annotation(),
              parameter.name());
        }
        continue;
      }
      switch (parameter.type().kind()) {
        case OPS, LAYERS -> { }
        case OPERAND, OPERAND_OF_OTHER ->
            diagnostics.report(
                Message.MODEL_PARAMETER_NOT_FED, parameter.element(), parameter.name());
        default ->
            diagnostics.report(
                Message.PARAMETER_TYPE, parameter.element(), "@Model", "Layers, ",
                parameter.type().display(), parameter.name());
      }
    }
  }
}
