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
    ParameterDeclaration functionInput = method.functionInput();
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        ParameterRules.checkInput(parameter, diagnostics);
        if (parameter.input().label()) {
          diagnostics.report(
              Message.LABEL_IN_MODEL,
              parameter.element(),
              parameter.input().annotation(),
              parameter.name());
        } else if (functionInput != null) {
          diagnostics.report(
              Message.FUNCTION_MODEL_INPUTS,
              parameter.element(),
              method.displayName(),
              "@Feature " + parameter.name(),
              functionInput.name());
        }
        continue;
      }
      switch (parameter.type().kind()) {
        case OPS, LAYERS -> {}
        case OPERAND, OPERAND_OF_OTHER -> {
          if (parameter != functionInput) {
            diagnostics.report(
                Message.FUNCTION_MODEL_INPUTS,
                parameter.element(),
                method.displayName(),
                "a second input, " + parameter.name(),
                parameter.name());
          }
        }
        default ->
            diagnostics.report(
                Message.PARAMETER_TYPE,
                parameter.element(),
                "@Model",
                "Layers, ",
                parameter.type().display(),
                parameter.name());
      }
    }
    if (functionInput != null
        && returns.isOperand()
        && functionInput.type().dataType() != returns.dataType()) {
      diagnostics.report(
          Message.FUNCTION_MODEL_TYPE,
          functionInput.element(),
          method.displayName(),
          functionInput.type().display(),
          returns.display());
    }
  }
}
