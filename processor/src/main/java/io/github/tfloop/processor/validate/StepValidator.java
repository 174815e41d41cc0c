package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.StepDeclaration;
import io.github.tfloop.processor.parse.TypeShape;
import java.util.List;

/** {@code @Step} methods and the values of their annotation. */
final class StepValidator {

  private StepValidator() {}

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    if (method.returnType().kind() != TypeShape.Kind.VOID || !method.parameters().isEmpty()) {
      diagnostics.error(
          Message.STEP_SIGNATURE, method.element(), method.annotation(), signature(method));
    }
    StepDeclaration step = method.step();
    List<String> losses = loop.methods(Role.LOSS).stream().map(MethodDeclaration::name).toList();
    if (step.loss().isEmpty()) {
      if (losses.size() > 1) {
        diagnostics.error(
            Message.STEP_LOSS_AMBIGUOUS, method.element(), method.annotation(), losses);
      }
    } else if (!losses.contains(step.loss())) {
      diagnostics.error(
          Message.STEP_LOSS_UNKNOWN, method.element(), method.annotation(), step.lossValue(),
          step.loss(), losses, Suggestions.didYouMean(step.loss(), losses));
    }
    if (!(step.learningRate() > 0) || Double.isInfinite(step.learningRate())) {
      diagnostics.error(
          Message.STEP_LEARNING_RATE, method.element(), method.annotation(),
          step.learningRateValue(), step.learningRate());
    }
    List<String> models = loop.methods(Role.MODEL).stream().map(MethodDeclaration::name).toList();
    for (String group : step.variables()) {
      if (!models.contains(group)) {
        diagnostics.error(
            Message.STEP_VARIABLES_UNKNOWN, method.element(), method.annotation(),
            step.variablesValue(), group, models, Suggestions.didYouMean(group, models));
      }
    }
  }

  /** The loss a step minimises: the named one, or the only one. */
  static String lossOf(MethodDeclaration step, LoopDeclaration loop) {
    String named = step.step().loss();
    return named.isEmpty() ? loop.methods(Role.LOSS).get(0).name() : named;
  }

  private static String signature(MethodDeclaration method) {
    StringBuilder text =
        new StringBuilder(method.returnType().display()).append(' ').append(method.name()).append('(');
    for (int i = 0; i < method.parameters().size(); i++) {
      text.append(i == 0 ? "" : ", ").append(method.parameters().get(i).type().display())
          .append(' ').append(method.parameters().get(i).name());
    }
    return text.append(')').toString();
  }
}
