package io.github.tfloop.processor.validate;

import io.github.tfloop.annotations.Optimizer;
import io.github.tfloop.annotations.Schedule;
import io.github.tfloop.processor.model.Hyperparameters;
import io.github.tfloop.processor.model.Hyperparameters.Parameter;
import io.github.tfloop.processor.model.Hyperparameters.Signature;
import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import io.github.tfloop.processor.parse.StepDeclaration;
import io.github.tfloop.processor.parse.TypeShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationValue;

/**
 * {@code @Step} methods and the values of their annotation, one check per attribute, each reporting
 * on the attribute's value (or the array element at fault). Conflicts between attributes (two
 * clipping modes at once) are reported on the second one. Optimizer and schedule parameters are
 * checked against {@link Hyperparameters}.
 */
final class StepValidator {

  private StepValidator() {}

  static void check(
      MethodDeclaration method, LoopDeclaration loop, String loopClass, Diagnostics diagnostics) {
    MethodRules.check(method, loopClass, diagnostics);
    if (method.returnType().kind() != TypeShape.Kind.VOID || !method.parameters().isEmpty()) {
      diagnostics.report(Message.STEP_SIGNATURE, method.element(), signature(method));
    } else if (method.hasStatements()) {
      diagnostics.report(Message.STEP_BODY, method.element(), method.displayName());
    }
    checkLoss(method, loop, diagnostics);
    checkOptimizerParams(method, diagnostics);
    checkLearningRate(method, diagnostics);
    checkSchedule(method, diagnostics);
    checkClipping(method, diagnostics);
    checkEvery(method, diagnostics);
    checkVariables(method, loop, diagnostics);
  }

  private static void checkLoss(
      MethodDeclaration method, LoopDeclaration loop, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    List<String> losses = loop.lossNames();
    if (step.loss().isEmpty()) {
      if (losses.size() > 1) {
        diagnostics.report(
            Message.STEP_LOSS_AMBIGUOUS, method.element(), method.annotation(), losses);
      }
    } else if (!losses.contains(step.loss())) {
      diagnostics.report(
          Message.STEP_LOSS_UNKNOWN,
          method.element(),
          method.annotation(),
          step.lossValue(),
          loop.standardLoss() == null
              ? "a @Loss method"
              : "a @Loss method or the @StandardLoss(name)",
          step.loss(),
          losses,
          loop.names(Role.MODEL).contains(step.loss())
              ? "; " + step.loss() + "() is a @Model, and a step minimises a loss"
              : Suggestions.didYouMean(step.loss(), losses));
    }
  }

  private static void checkLearningRate(MethodDeclaration method, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    if (!(step.learningRate() > 0) || Double.isInfinite(step.learningRate())) {
      diagnostics.report(
          Message.STEP_LEARNING_RATE,
          method.element(),
          method.annotation(),
          step.learningRateValue(),
          step.learningRate());
    }
  }

  private static void checkOptimizerParams(MethodDeclaration method, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    checkEntries(
        method,
        step.params(),
        step.paramValues(),
        Hyperparameters.optimizer(step.optimizer()),
        step.optimizer(),
        Message.OPTIMIZER_PARAMETER,
        Message.OPTIMIZER_PARAMETER_VALUE,
        diagnostics);
  }

  private static void checkSchedule(MethodDeclaration method, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    Signature schedule = Hyperparameters.schedule(step.schedule());
    int errorsBefore = diagnostics.errorCount();
    Map<String, String> given =
        checkEntries(
            method,
            step.scheduleParams(),
            step.scheduleParamValues(),
            schedule,
            step.schedule(),
            Message.SCHEDULE_PARAMETER,
            Message.SCHEDULE_PARAMETER_VALUE,
            diagnostics);
    if (diagnostics.errorCount() > errorsBefore) {
      return; // a misspelt or bad entry is likely the one that seems missing
    }
    for (Parameter parameter : schedule.parameters()) {
      if (parameter.required() && !given.containsKey(parameter.name())) {
        diagnostics.report(
            Message.SCHEDULE_PARAMETER_MISSING,
            method.element(),
            method.annotation(),
            step.scheduleValue(),
            step.schedule(),
            parameter.name(),
            parameter.name(),
            example(parameter));
      }
    }
    if (given.containsKey("boundaries") && given.containsKey("values")) {
      int boundaries = Hyperparameters.listItems(given.get("boundaries")).size();
      int values = Hyperparameters.listItems(given.get("values")).size();
      if (boundaries != values) {
        int index = indexOf(step.scheduleParams(), "values");
        diagnostics.report(
            Message.SCHEDULE_PARAMETER_VALUE,
            method.element(),
            method.annotation(),
            Diagnostics.elementOr(step.scheduleParamValues(), index, step.scheduleValue()),
            step.schedule(),
            "values",
            "one rate per boundary (" + boundaries + ")",
            step.scheduleParams().get(index));
      }
    }
  }

  private static String example(Parameter parameter) {
    return switch (parameter.kind()) {
      case COUNT -> "1000";
      case INCREASING_COUNTS -> "1000 5000";
      case POSITIVE_NUMBERS -> "1e-4 1e-5";
      default -> "0.5";
    };
  }

  /**
   * Checks {@code name=value} entries against {@code signature}; returns the valid ones by name.
   * Each error points at the entry at fault.
   */
  private static Map<String, String> checkEntries(
      MethodDeclaration method,
      List<String> entries,
      List<AnnotationValue> values,
      Signature signature,
      Enum<?> algorithm,
      Message unknown,
      Message badValue,
      Diagnostics diagnostics) {
    Map<String, String> valid = new LinkedHashMap<>();
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      AnnotationValue value = Diagnostics.elementOr(values, i, null);
      String[] pair = Hyperparameters.split(entries.get(i));
      Parameter parameter = pair == null ? null : signature.parameter(pair[0]);
      if (parameter == null) {
        String hint =
            pair == null
                ? withoutEquals(entries.get(i), signature)
                : Suggestions.didYouMean(pair[0], signature.names());
        if (hint.isEmpty() && pair != null) {
          hint = takenBy(pair[0], algorithm);
        }
        diagnostics.report(
            unknown,
            method.element(),
            method.annotation(),
            value,
            algorithm,
            signature.names().isEmpty() ? "none" : String.join(", ", signature.names()),
            entries.get(i),
            hint);
      } else if (seen.contains(parameter.name())) {
        diagnostics.report(
            Message.PARAMETER_REPEATED,
            method.element(),
            method.annotation(),
            value,
            method.displayName(),
            parameter.name());
      } else if (!parameter.kind().accepts(pair[1])) {
        seen.add(parameter.name());
        diagnostics.report(
            badValue,
            method.element(),
            method.annotation(),
            value,
            algorithm,
            parameter.name(),
            parameter.kind().description(),
            pair[1]);
      } else {
        seen.add(parameter.name());
        valid.put(parameter.name(), pair[1]);
      }
    }
    return valid;
  }

  /**
   * For an entry without {@code =}: that it is missing, with the entry written right when it starts
   * with a name the algorithm takes ({@code "epsilon 1e-8"}, {@code "epsilon: 1e-8"}).
   */
  private static String withoutEquals(String entry, Signature signature) {
    if (entry.contains("=")) {
      return "; the name before '=' is missing";
    }
    String[] words = entry.trim().split("[\\s:]+", 2);
    if (words.length == 2 && signature.parameter(words[0]) != null) {
      return "; the '=' is missing: write \"" + words[0] + "=" + words[1] + "\"";
    }
    return "; the '=' and a value are missing";
  }

  /**
   * {@code "; momentum is a parameter of MOMENTUM and RMSPROP"}: the other optimizers (or
   * schedules, like {@code algorithm}) that take {@code name}; {@code ""} if none does.
   */
  private static String takenBy(String name, Enum<?> algorithm) {
    List<String> takers = new ArrayList<>();
    for (Enum<?> other : algorithm.getDeclaringClass().getEnumConstants()) {
      Signature signature =
          other instanceof Optimizer optimizer
              ? Hyperparameters.optimizer(optimizer)
              : Hyperparameters.schedule((Schedule) other);
      if (signature.parameter(name) != null) {
        takers.add(other.name());
      }
    }
    if (takers.isEmpty()) {
      return "";
    }
    String last = takers.remove(takers.size() - 1);
    return "; "
        + name
        + " is a parameter of "
        + (takers.isEmpty() ? last : String.join(", ", takers) + " and " + last);
  }

  private static int indexOf(List<String> entries, String name) {
    for (int i = 0; i < entries.size(); i++) {
      String[] pair = Hyperparameters.split(entries.get(i));
      if (pair != null && pair[0].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static void checkClipping(MethodDeclaration method, Diagnostics diagnostics) {
    StepDeclaration.Clip first = null;
    for (StepDeclaration.Clip clip : method.step().clipping()) {
      if (!(clip.limit() >= 0) || Double.isInfinite(clip.limit())) {
        diagnostics.report(
            Message.CLIPPING_VALUE,
            method.element(),
            method.annotation(),
            clip.value(),
            clip.attribute(),
            clip.limit());
      } else if (clip.limit() > 0) {
        if (first == null) {
          first = clip;
        } else {
          diagnostics.report(
              Message.CLIPPING_CONFLICT,
              method.element(),
              method.annotation(),
              clip.value(),
              first.attribute(),
              clip.attribute());
        }
      }
    }
  }

  private static void checkEvery(MethodDeclaration method, Diagnostics diagnostics) {
    if (method.step().every() < 1) {
      diagnostics.report(
          Message.STEP_EVERY,
          method.element(),
          method.annotation(),
          method.step().everyValue(),
          method.step().every());
    }
  }

  /** At least one step runs on every batch; reported on the first step's {@code every}. */
  static void checkSomeStepRunsEveryBatch(LoopDeclaration loop, Diagnostics diagnostics) {
    List<MethodDeclaration> steps = loop.methods(Role.STEP);
    if (steps.isEmpty() || steps.stream().anyMatch(step -> step.step().every() <= 1)) {
      return; // below 1 is reported as StepEvery
    }
    MethodDeclaration first = steps.get(0);
    diagnostics.report(
        Message.STEP_EVERY_NONE,
        first.element(),
        first.annotation(),
        first.step().everyValue(),
        steps.stream().map(MethodDeclaration::displayName).toList());
  }

  private static void checkVariables(
      MethodDeclaration method, LoopDeclaration loop, Diagnostics diagnostics) {
    StepDeclaration step = method.step();
    List<String> models = loop.names(Role.MODEL);
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < step.variables().size(); i++) {
      String group = step.variables().get(i);
      AnnotationValue value =
          Diagnostics.elementOr(step.variableValues(), i, step.variablesValue());
      if (!models.contains(group)) {
        diagnostics.report(
            Message.STEP_VARIABLES_UNKNOWN,
            method.element(),
            method.annotation(),
            value,
            group,
            models,
            Suggestions.didYouMean(group, models));
      } else if (seen.contains(group)) {
        diagnostics.report(
            Message.STEP_VARIABLES_REPEATED, method.element(), method.annotation(), value, group);
      }
      seen.add(group);
    }
  }

  /**
   * Cross-checks every step: its loss must depend on a variable the step trains. A loss depends
   * exactly on the variables of the models whose outputs it takes, and only models that take {@code
   * Layers} have variables. Skipped where the loop has no variables at all (NothingToTrain), and
   * for a step whose loss does not exist, or where the step, its loss or a model the loss uses is
   * in error already: the answer would follow from that error.
   */
  static void checkTrainsSomething(LoopDeclaration loop, Diagnostics diagnostics) {
    if (loop.methods(Role.MODEL).stream().noneMatch(MethodDeclaration::takesLayers)) {
      return;
    }
    for (MethodDeclaration step : loop.methods(Role.STEP)) {
      MethodDeclaration loss = loop.lossMethodOf(step);
      boolean lossInError =
          loss != null
              ? diagnostics.inError(loss.element())
              : !loop.minimisesStandardLoss(step)
                  || diagnostics.inError(loop.standardLoss().annotation());
      List<MethodDeclaration> models = loop.modelsMinimisedBy(step);
      if (!diagnostics.inError(step.element())
          && !lossInError
          && models.stream().noneMatch(model -> diagnostics.inError(model.element()))) {
        checkTrainsSomething(step, loss, models, loop, diagnostics);
      }
    }
  }

  private static void checkTrainsSomething(
      MethodDeclaration method,
      MethodDeclaration loss,
      List<MethodDeclaration> models,
      LoopDeclaration loop,
      Diagnostics diagnostics) {
    List<String> lossDependsOn =
        models.stream()
            .filter(MethodDeclaration::takesLayers)
            .map(MethodDeclaration::name)
            .toList();
    List<String> trains =
        method.step().variables().isEmpty() ? loop.names(Role.MODEL) : method.step().variables();
    if (trains.stream().anyMatch(lossDependsOn::contains)) {
      return;
    }
    String lossName =
        loss != null ? loss.displayName() : "@StandardLoss " + loop.standardLoss().name();
    if (lossDependsOn.isEmpty()) {
      diagnostics.report(
          Message.STEP_TRAINS_NOTHING,
          method.element(),
          method.annotation(),
          method.step().variablesValue(),
          lossName + " takes the output of no @Model that has variables (takes Layers)",
          "take such an output in " + lossName);
    } else {
      diagnostics.report(
          Message.STEP_TRAINS_NOTHING,
          method.element(),
          method.annotation(),
          method.step().variablesValue(),
          lossName
              + " depends only on the variables of "
              + lossDependsOn
              + ", and "
              + method.displayName()
              + " trains those of "
              + trains,
          "add " + lossDependsOn.get(0) + " to @Step(variables)");
    }
  }

  private static String signature(MethodDeclaration method) {
    StringBuilder text =
        new StringBuilder(method.returnType().display())
            .append(' ')
            .append(method.name())
            .append('(');
    for (int i = 0; i < method.parameters().size(); i++) {
      text.append(i == 0 ? "" : ", ")
          .append(method.parameters().get(i).type().display())
          .append(' ')
          .append(method.parameters().get(i).name());
    }
    return text.append(')').toString();
  }
}
