package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.ParameterDeclaration;
import io.github.tfloop.processor.parse.TypeShape;
import java.util.ArrayList;
import java.util.List;

/** {@code @Loss} methods: what they return and take, and which model output each operand is. */
final class LossValidator {

  private LossValidator() {}

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    TypeShape returns = method.returnType();
    if (!returns.isOperand() || !returns.dataType().isFloating()) {
      diagnostics.report(Message.LOSS_RETURN_TYPE, method.element(), returns.display());
    }
    for (ParameterDeclaration parameter : method.parameters()) {
      if (parameter.input() != null) {
        ParameterRules.checkInput(parameter, diagnostics);
        continue;
      }
      switch (parameter.type().kind()) {
        case OPS -> {}
        case LAYERS -> diagnostics.report(Message.LAYERS_IN_LOSS, parameter.element());
        case OPERAND -> checkModelOutput(parameter, loop, diagnostics);
        case NETWORK -> checkNetwork(parameter, loop, diagnostics);
        default ->
            diagnostics.report(
                Message.PARAMETER_TYPE,
                parameter.element(),
                "@Loss",
                "",
                parameter.type().display(),
                parameter.name());
      }
    }
  }

  private static void checkModelOutput(
      ParameterDeclaration parameter, LoopDeclaration loop, Diagnostics diagnostics) {
    MethodDeclaration model = loop.modelFor(parameter);
    if (model == null) {
      if (!loop.methods(Role.MODEL).isEmpty()) {
        List<String> names = loop.names(Role.MODEL);
        diagnostics.report(
            Message.OUTPUT_UNKNOWN,
            parameter.element(),
            parameter.name(),
            names,
            Suggestions.didYouMean(parameter.name(), names));
      }
      return;
    }
    TypeShape output = model.returnType();
    if (model.isFunctionModel()) {
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
      return;
    }
    if (output.isOperand() && output.dataType() != parameter.type().dataType()) {
      diagnostics.report(
          Message.OUTPUT_TYPE,
          parameter.element(),
          parameter.name(),
          parameter.type().display(),
          model.displayName(),
          output.display(),
          output.display());
    }
  }

  private static void checkNetwork(
      ParameterDeclaration parameter, LoopDeclaration loop, Diagnostics diagnostics) {
    MethodDeclaration model = loop.networkFor(parameter);
    if (model == null) {
      List<String> names = loop.functionModels().stream().map(MethodDeclaration::name).toList();
      diagnostics.report(
          Message.NETWORK_UNKNOWN,
          parameter.element(),
          parameter.name(),
          names,
          Suggestions.didYouMean(parameter.name(), names));
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

  /** The models whose outputs {@code loss} takes or which it applies, in parameter order. */
  static List<MethodDeclaration> modelsUsedBy(MethodDeclaration loss, LoopDeclaration loop) {
    List<MethodDeclaration> used = new ArrayList<>();
    for (ParameterDeclaration parameter : loss.parameters()) {
      MethodDeclaration model = null;
      if (parameter.input() == null && parameter.type().isOperand()) {
        model = loop.modelFor(parameter);
      } else if (parameter.input() == null && parameter.type().kind() == TypeShape.Kind.NETWORK) {
        model = loop.networkFor(parameter);
      }
      if (model != null && !used.contains(model)) {
        used.add(model);
      }
    }
    return used;
  }
}
