package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The loop's inputs as a whole: there is a feature, and every declaration of the same input, across
 * methods, agrees on role, type and shape.
 */
final class InputsValidator {

  private InputsValidator() {}

  /** How an input was first declared, and where: a method, or the {@code @StandardLoss}. */
  private record FirstDeclaration(String description, String where) {}

  static void check(LoopDeclaration loop, Diagnostics diagnostics) {
    checkHasFeature(loop, diagnostics);
    Map<String, FirstDeclaration> first = new LinkedHashMap<>();
    if (loop.standardLoss() != null) {
      first.put(
          loop.standardLoss().label(),
          new FirstDeclaration(
              describe("@Label", loop.standardLossLabelType(), loop.standardLoss().labelShape()),
              "@StandardLoss"));
    }
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        InputDeclaration input = parameter.input();
        if (input == null || !parameter.type().isOperand()) {
          continue;
        }
        FirstDeclaration earlier =
            first.putIfAbsent(
                input.name(), new FirstDeclaration(describe(parameter), method.displayName()));
        if (earlier != null && !earlier.description().equals(describe(parameter))) {
          diagnostics.report(
              Message.INPUT_CONFLICT,
              parameter.element(),
              input.annotation(),
              input.name(),
              describe(parameter),
              earlier.description(),
              earlier.where());
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
    return describe(input.annotationName(), parameter.type().dataType(), input.shape());
  }

  /** {@code @Label FLOAT32 [1]}: an input's role, type and shape, as conflicts show them. */
  private static String describe(String annotationName, DataType type, List<Integer> shape) {
    return annotationName + " " + type + " " + InputDeclaration.displayShape(shape);
  }
}
