package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs every validator over one loop class. All problems are reported, not just the first; {@link
 * #validate} says whether the class is fit to generate from.
 */
public final class LoopValidator {

  private final Diagnostics diagnostics;
  private final Predicate<String> existingTypes;

  /**
   * @param existingTypes whether a type of a qualified name is declared already, other than by
   *     tfloop in an earlier compile: the loop class must not clash with it
   */
  public LoopValidator(Diagnostics diagnostics, Predicate<String> existingTypes) {
    this.diagnostics = diagnostics;
    this.existingTypes = existingTypes;
  }

  /** Validates {@code loop}; returns whether it is free of errors. */
  public boolean validate(LoopDeclaration loop, String loopClassName) {
    int errorsBefore = diagnostics.errorCount();
    TrainingLoopValidator.check(loop, loopClassName, diagnostics);
    checkLoopName(loop, loopClassName);
    MethodRules.checkUniqueNames(loop, diagnostics);
    for (MethodDeclaration method : loop.methods()) {
      switch (method.role()) {
        case MODEL -> ModelValidator.check(method, loopClassName, diagnostics);
        case LOSS -> LossValidator.check(method, loop, loopClassName, diagnostics);
        case STEP -> StepValidator.check(method, loop, loopClassName, diagnostics);
      }
    }
    StandardLossValidator.check(loop, diagnostics);
    StepValidator.checkSomeStepRunsEveryBatch(loop, diagnostics);
    InputsValidator.check(loop, diagnostics);
    PlacementValidator.checkInputsIn(loop.element(), diagnostics);
    checkStepsTrainSomething(loop);
    if (diagnostics.errorCount() > errorsBefore) {
      return false;
    }
    warnAboutUnusedMethods(loop);
    return true;
  }

  private void checkLoopName(LoopDeclaration loop, String loopClassName) {
    String qualified = loop.qualifiedName(loopClassName);
    if (existingTypes.test(qualified)) {
      diagnostics.report(
          Message.LOOP_NAME_TAKEN,
          loop.element(),
          loop.annotation(),
          loop.loopNameValue(),
          loopClassName,
          qualified);
    }
  }

  /**
   * Each step's loss must depend on a variable the step trains; checked only for steps whose loss
   * and variable groups exist, once some model can have variables at all.
   */
  private void checkStepsTrainSomething(LoopDeclaration loop) {
    if (loop.methods(Role.MODEL).stream().noneMatch(MethodDeclaration::takesLayers)) {
      return; // reported as NothingToTrain
    }
    for (MethodDeclaration step : loop.methods(Role.STEP)) {
      if (StepValidator.lossExists(step, loop)
          && loop.names(Role.MODEL).containsAll(step.step().variables())) {
        StepValidator.checkTrainsSomething(step, loop, diagnostics);
      }
    }
  }

  private void warnAboutUnusedMethods(LoopDeclaration loop) {
    Set<MethodDeclaration> minimised = new HashSet<>();
    Set<MethodDeclaration> usedModels = new HashSet<>();
    for (MethodDeclaration step : loop.methods(Role.STEP)) {
      MethodDeclaration loss = StepValidator.lossOf(step, loop);
      if (loss != null) {
        minimised.add(loss);
      }
    }
    for (MethodDeclaration loss : loop.methods(Role.LOSS)) {
      usedModels.addAll(LossValidator.modelsUsedBy(loss, loop));
      if (!minimised.contains(loss) && !loop.methods(Role.STEP).isEmpty()) {
        diagnostics.report(Message.UNUSED_LOSS, loss.element(), loss.displayName());
      }
    }
    if (loop.standardLossModel() != null) {
      usedModels.add(loop.standardLossModel());
    }
    if (loop.lossNames().isEmpty()) {
      return; // reported as MissingLoss
    }
    for (MethodDeclaration model : loop.methods(Role.MODEL)) {
      if (!usedModels.contains(model)) {
        diagnostics.report(Message.UNUSED_MODEL, model.element(), model.displayName());
      }
    }
  }
}
