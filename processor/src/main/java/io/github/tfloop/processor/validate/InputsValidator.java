package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The loop's inputs as a whole: there is a feature, and every declaration of the same input,
 * across methods, agrees on role, type and shape.
 */
final class InputsValidator {

  private InputsValidator() {}

  private record FirstDeclaration(ParameterDeclaration parameter, MethodDeclaration method) {}

  static void check(LoopDeclaration loop, Diagnostics diagnostics) {
    checkHasFeature(loop, diagnostics);
    Map<String, FirstDeclaration> first = new LinkedHashMap<>();
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        InputDeclaration input = parameter.input();
        if (input == null || !parameter.type().isOperand()) {
          continue;
        }
        FirstDeclaration earlier =
            first.putIfAbsent(input.name(), new FirstDeclaration(parameter, method));
        if (earlier != null && !describe(earlier.parameter()).equals(describe(parameter))) {
          diagnostics.report(
              Message.INPUT_CONFLICT, parameter.element(), input.annotation(), input.name(),
              describe(parameter), describe(earlier.parameter()), earlier.method().displayName());
        }
      }
    }
  }

  private static void checkHasFeature(LoopDeclaration loop, Diagnostics diagnostics) {
    if (loop.methods(Role.MODEL).isEmpty()) {
      return; // already reported as MissingModel
    }
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null && !parameter.input().label()) {
          return;
        }
      }
    }
    diagnostics.report(
        Message.MISSING_FEATURE, loop.element(), loop.annotation(), loop.element().getSimpleName());
  }

  private static String describe(ParameterDeclaration parameter) {
    InputDeclaration input = Objects.requireNonNull(parameter.input());
    return input.annotationName() + " " + parameter.type().dataType() + " "
        + input.displayShape();
  }
}
