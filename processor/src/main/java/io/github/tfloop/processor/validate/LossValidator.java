package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import io.github.tfloop.processor.parse.TypeShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code @Loss} methods: what they return and take, and which model output each operand is. Run
 * after the models are validated: checks against a model already in error are skipped.
 */
final class LossValidator {

  /** What a {@code @Loss} may take, for messages. */
  private static final String PARAMETERS =
      "Ops, a model output Operand<T>, a Network<T> or a @Feature or @Label Operand<T>";

  private LossValidator() {}

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    TypeShape returns = method.returnType();
    if (!returns.isOperand() || !returns.dataType().isFloating()) {
      diagnostics.report(Message.LOSS_RETURN_TYPE, method.element(), returns.display());
    }
    Map<MethodDeclaration, List<ParameterDeclaration>> outputs = new LinkedHashMap<>();
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        ParameterRules.checkInput(parameter, diagnostics);
        continue;
      }
      switch (parameter.type().kind()) {
        case OPS -> {}
        case LAYERS -> diagnostics.report(Message.LAYERS_IN_LOSS, parameter.element());
        case OPERAND -> {
          MethodDeclaration model = loop.modelFor(parameter);
          if (model == null) {
            reportUnknownOutput(parameter, loop, diagnostics);
          } else {
            outputs.computeIfAbsent(model, key -> new ArrayList<>()).add(parameter);
          }
        }
        case NETWORK -> checkNetwork(parameter, loop, diagnostics);
        case OPERAND_OF_OTHER, VOID, UNRESOLVED, OTHER ->
            diagnostics.report(
                Message.PARAMETER_TYPE,
                parameter.element(),
                "@Loss",
                PARAMETERS,
                parameter.type().display(),
                parameter.name());
      }
    }
    outputs.forEach((model, parameters) -> checkOutputs(method, model, parameters, diagnostics));
  }

  private static void reportUnknownOutput(
      ParameterDeclaration parameter, LoopDeclaration loop, Diagnostics diagnostics) {
    if (loop.methods(Role.MODEL).isEmpty()) {
      return; // MissingModel
    }
    List<String> names = loop.names(Role.MODEL);
    String hint = Suggestions.didYouMean(parameter.name(), names);
    diagnostics.report(
        Message.OUTPUT_UNKNOWN,
        parameter.element(),
        parameter.name(),
        names,
        hint.isEmpty()
            ? "; if the loop feeds " + parameter.name() + ", annotate it @Label or @Feature"
            : hint);
  }

  /**
   * The parameters of {@code loss} that are outputs of {@code model}. With one model, every
   * un-annotated operand is its output, so a second one is most likely an input whose {@code Label}
   * was forgotten: an error if its type differs from the output's, else a warning, since the loss
   * would take the same operand twice.
   */
  private static void checkOutputs(
      MethodDeclaration loss,
      MethodDeclaration model,
      List<ParameterDeclaration> parameters,
      Diagnostics diagnostics) {
    if (diagnostics.inError(model.element())) {
      return; // the model's own error (or FeatureModelMissing on its input) comes first
    }
    TypeShape output = model.returnType();
    if (model.isFunctionModel()) {
      for (ParameterDeclaration parameter : parameters) {
        reportOutputOfFunctionModel(parameter, model, diagnostics);
      }
      return;
    }
    ParameterDeclaration output0 = primary(model, parameters);
    for (ParameterDeclaration parameter : parameters) {
      boolean sameType = parameter.type().dataType() == output.dataType();
      if (parameter == output0) {
        if (!sameType) {
          diagnostics.report(
              Message.OUTPUT_TYPE,
              parameter.element(),
              parameter.name(),
              parameter.type().display(),
              model.displayName(),
              output.display(),
              output.display());
        }
      } else if (sameType) {
        diagnostics.report(
            Message.OUTPUT_TAKEN_TWICE,
            parameter.element(),
            loss.displayName(),
            model.displayName(),
            output0.name(),
            parameter.name(),
            parameter.name());
      } else {
        diagnostics.report(
            Message.UNANNOTATED_INPUT,
            parameter.element(),
            loss.displayName(),
            model.displayName(),
            output0.name(),
            parameter.name(),
            parameter.type().display(),
            model.displayName(),
            parameter.name());
      }
    }
  }

  /**
   * Which of several parameters taking one model's output is that output: the one named after the
   * model, else the first of the output's type, else the first.
   */
  private static ParameterDeclaration primary(
      MethodDeclaration model, List<ParameterDeclaration> parameters) {
    for (ParameterDeclaration parameter : parameters) {
      if (parameter.name().equals(model.name())) {
        return parameter;
      }
    }
    for (ParameterDeclaration parameter : parameters) {
      if (parameter.type().dataType() == model.returnType().dataType()) {
        return parameter;
      }
    }
    return parameters.get(0);
  }

  private static void reportOutputOfFunctionModel(
      ParameterDeclaration parameter, MethodDeclaration model, Diagnostics diagnostics) {
    TypeShape output = model.returnType();
    String type = output.isOperand() ? output.dataType().simpleName() : "T";
    diagnostics.report(
        Message.OUTPUT_OF_FUNCTION_MODEL,
        parameter.element(),
        model.displayName(),
        model.functionInput().name(),
        type,
        parameter.name(),
        type,
        model.functionInput().name());
  }

  private static void checkNetwork(
      ParameterDeclaration parameter, LoopDeclaration loop, Diagnostics diagnostics) {
    MethodDeclaration model = loop.networkFor(parameter);
    if (model == null) {
      List<String> names = loop.functionModels().stream().map(MethodDeclaration::name).toList();
      diagnostics.report(
          Message.NETWORK_UNKNOWN,
          parameter.element(),
          names.isEmpty()
              ? loop.element().getSimpleName()
                  + " has none (a function model takes an un-annotated Operand, its input); use"
                  + " Operand<T> "
                  + parameter.name()
                  + " for the output of a @Model"
              : parameter.name()
                  + " matches none of "
                  + names
                  + Suggestions.didYouMean(parameter.name(), names));
      return;
    }
    if (diagnostics.inError(model.element())) {
      return;
    }
    TypeShape output = model.returnType();
    if (output.isOperand() && output.dataType() != parameter.type().dataType()) {
      String network = "Network<" + output.dataType().simpleName() + ">";
      diagnostics.report(
          Message.NETWORK_TYPE,
          parameter.element(),
          parameter.name(),
          parameter.type().display(),
          model.displayName(),
          output.display(),
          network);
    }
  }
}
