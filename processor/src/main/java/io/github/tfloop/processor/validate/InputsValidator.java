package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.DataType;
import io.github.tfloop.processor.parse.InputDeclaration;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import java.util.ArrayList;
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
      if (method.role() == Role.STEP) {
        continue; // a step takes no parameters at all: StepSignature
      }
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

  /**
   * A loop needs a feature. Not reported where an error says already what is wrong: no model
   * (MissingModel), only function models, whose un-annotated input is likely the forgotten feature
   * (FeatureModelMissing), or a model input annotated {@code @Label} (LabelInModel).
   */
  private static void checkHasFeature(LoopDeclaration loop, Diagnostics diagnostics) {
    if (loop.featureModels().isEmpty()) {
      return;
    }
    for (MethodDeclaration method : loop.methods()) {
      for (ParameterDeclaration parameter : method.parameters()) {
        if (parameter.input() != null
            && (!parameter.input().label() || method.role() == Role.MODEL)) {
          return;
        }
      }
    }
    MethodDeclaration model = loop.featureModels().get(0);
    diagnostics.report(
        Message.MISSING_FEATURE,
        loop.element(),
        loop.annotation(),
        loop.element().getSimpleName(),
        model.displayName(),
        withFeature(model));
  }

  /**
   * {@code model}'s signature with a feature added, as an example built from the user's own class:
   * {@code Operand<TFloat32> logits(Layers nn, @Feature(shape = {...}) Operand<TFloat32> x)}.
   */
  private static String withFeature(MethodDeclaration model) {
    List<String> names = model.parameters().stream().map(ParameterDeclaration::name).toList();
    String name = "x";
    for (int suffix = 2; names.contains(name); suffix++) {
      name = "x" + suffix;
    }
    String type =
        model.returnType().isOperand() ? model.returnType().display() : "Operand<TFloat32>";
    List<String> parameters = new ArrayList<>();
    for (ParameterDeclaration parameter : model.parameters()) {
      parameters.add(parameter.type().display() + " " + parameter.name());
    }
    parameters.add("@Feature(shape = {...}) " + type + " " + name);
    return model.returnType().display()
        + " "
        + model.name()
        + "("
        + String.join(", ", parameters)
        + ")";
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
