package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.StepDeclaration;
import io.github.tfloop.processor.parse.TypeShape;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.AnnotationValue;

/**
 * {@code @Step} methods and the values of their annotation, one check per attribute.
 *
 * <p>Attributes that {@code @Step} will gain (optimizer hyper-parameters, learning-rate
 * schedules, gradient clipping) get their checks here, next to {@link #checkLearningRate}: each a
 * method called from {@link #check}, reporting on the attribute's value. Conflicts between
 * attributes (two clipping modes at once) are reported on the second one.
 */
final class StepValidator {

  private StepValidator() {}

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    if (method.returnType().kind() != TypeShape.Kind.VOID || !method.parameters().isEmpty()) {
      diagnostics.report(Message.STEP_SIGNATURE, method.element(), signature(method));
    }
    checkLoss(method, loop, diagnostics);
    checkLearningRate(method, diagnostics);
    checkVariables(method, loop, diagnostics);
  }

  private static void checkLoss(
      MethodDeclaration method, LoopDeclaration loop, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    List<String> losses = loop.names(Role.LOSS);
    if (step.loss().isEmpty()) {
      if (losses.size() > 1) {
        diagnostics.report(
            Message.STEP_LOSS_AMBIGUOUS, method.element(), method.annotation(), losses);
      }
    } else if (!losses.contains(step.loss())) {
      diagnostics.report(
          Message.STEP_LOSS_UNKNOWN, method.element(), method.annotation(), step.lossValue(),
          step.loss(), losses, Suggestions.didYouMean(step.loss(), losses));
    }
  }

  private static void checkLearningRate(MethodDeclaration method, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    if (!(step.learningRate() > 0) || Double.isInfinite(step.learningRate())) {
      diagnostics.report(
          Message.STEP_LEARNING_RATE, method.element(), method.annotation(),
          step.learningRateValue(), step.learningRate());
    }
  }

  private static void checkVariables(
      MethodDeclaration method, LoopDeclaration loop, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    List<String> models = loop.names(Role.MODEL);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < step.variables().size(); i++) {
      String group = step.variables().get(i);
      AnnotationValue value = i < step.variableValues().size()
          ? step.variableValues().get(i)
          : step.variablesValue();
      if (!models.contains(group)) {
        diagnostics.report(
            Message.STEP_VARIABLES_UNKNOWN, method.element(), method.annotation(), value, group,
            models, Suggestions.didYouMean(group, models));
      } else if (seen.contains(group)) {
        diagnostics.report(
            Message.STEP_VARIABLES_REPEATED, method.element(), method.annotation(), value, group);
      }
      seen.add(group);
    }
  }

  /**
   * Cross-checks a step whose loss and variables are known to exist: the loss must depend on a
   * variable the step trains. A loss depends exactly on the variables of the models whose outputs
   * it takes, and only models that take {@code Layers} have variables.
   */
  static void checkTrainsSomething(
      MethodDeclaration method, LoopDeclaration loop, Diagnostics diagnostics) {
    MethodDeclaration loss = lossOf(method, loop);
    List<String> lossDependsOn = LossValidator.modelsUsedBy(loss, loop).stream()
        .filter(MethodDeclaration::takesLayers)
        .map(MethodDeclaration::name)
        .toList();
    List<String> trains = method.step().variables().isEmpty()
        ? loop.names(Role.MODEL)
        : method.step().variables();
    if (trains.stream().anyMatch(lossDependsOn::contains)) {
      return;
    }
    String hint = lossDependsOn.isEmpty()
        ? "take the output of a @Model that takes Layers in " + loss.displayName()
        : "add " + lossDependsOn.get(0) + " to @Step(variables)";
    diagnostics.report(
        Message.STEP_TRAINS_NOTHING, method.element(), method.annotation(),
        method.step().variablesValue(), loss.displayName(), lossDependsOn, method.displayName(),
        trains, hint);
  }

  /** The loss a step minimises: the named one, or the only one; {@code null} if neither. */
  static MethodDeclaration lossOf(MethodDeclaration step, LoopDeclaration loop) {
    String named = step.step().loss();
    List<MethodDeclaration> losses = loop.methods(Role.LOSS);
    for (MethodDeclaration loss : losses) {
      if (named.isEmpty() ? losses.size() == 1 : loss.name().equals(named)) {
        return loss;
      }
    }
    return null;
  }

  private static String signature(MethodDeclaration method) {
    StringBuilder text = new StringBuilder(method.returnType().display())
        .append(' ').append(method.name()).append('(');
    for (int i = 0; i < method.parameters().size(); i++) {
      text.append(i == 0 ? "" : ", ").append(method.parameters().get(i).type().display())
          .append(' ').append(method.parameters().get(i).name());
    }
    return text.append(')').toString();
  }
}
