package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import io.github.tfloop.processor.parse.TypeShape;

/** {@code @Model} methods: what they return and take. */
final class ModelValidator {

  private ModelValidator() {}

  /** What a {@code @Model} may take, for messages. */
  static final String PARAMETERS =
      "Layers, Ops, a @Feature Operand<T> or, for a function model, one un-annotated Operand<T>";

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
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
              hasFeature(loop)
                  ? "move @Label " + parameter.name() + " to a @Loss method"
                  : "if "
                      + parameter.name()
                      + " is the data "
                      + method.displayName()
                      + " sees, annotate it @Feature instead");
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
                PARAMETERS,
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

  /** Whether any parameter of the loop is a {@code @Feature}. */
  private static boolean hasFeature(LoopDeclaration loop) {
    return loop.methods().stream()
        .flatMap(method -> method.parameters().stream())
        .anyMatch(parameter -> parameter.input() != null && !parameter.input().label());
  }
}
