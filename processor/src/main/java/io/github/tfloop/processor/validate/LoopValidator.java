package io.github.tfloop.processor.validate;

import io.github.tfloop.processor.parse.LoopDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration;
import io.github.tfloop.processor.parse.MethodDeclaration.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;

/**
 * Runs every validator over one loop class. All mistakes are reported, each once: models are
 * checked before the losses that take their outputs, those before the steps that minimise them, and
 * a check that depends on an element already in error is skipped. {@link #validate} says whether
 * the class is fit to generate from.
 */
public final class LoopValidator {

  /**
   * What a generated loop class would clash with: a type of the user's ({@code existingType}), or
   * other {@code @TrainingLoop} classes that ask for the same name ({@code otherLoops}).
   */
  public record NameClash(String existingType, List<String> otherLoops) {}

  private final Diagnostics diagnostics;
  private final Function<String, NameClash> clashes;
  private final Predicate<Element> reportedAsOrphan;

  /**
   * @param clashes what the loop class of a qualified name would clash with, or {@code null}
   * @param reportedAsOrphan whether a method was reported as an orphan annotation in this compile
   */
  public LoopValidator(
      Diagnostics diagnostics,
      Function<String, NameClash> clashes,
      Predicate<Element> reportedAsOrphan) {
    this.diagnostics = diagnostics;
    this.clashes = clashes;
    this.reportedAsOrphan = reportedAsOrphan;
  }

  /** Validates {@code loop}; returns whether it is free of errors. */
  public boolean validate(LoopDeclaration loop, String loopClassName) {
    int errorsBefore = diagnostics.errorCount();
    TrainingLoopValidator.check(loop, loopClassName, reportedAsOrphan, diagnostics);
    checkLoopName(loop, loopClassName);
    MethodRules.checkUniqueNames(loop, diagnostics);
    for (MethodDeclaration method : loop.methods()) {
      MethodRules.checkOneRole(method, diagnostics);
    }
    for (MethodDeclaration model : withOneRole(loop, Role.MODEL)) {
      ModelValidator.check(model, loop, loopClassName, diagnostics);
    }
    TrainingLoopValidator.checkFeatureModel(loop, diagnostics);
    for (MethodDeclaration loss : withOneRole(loop, Role.LOSS)) {
      LossValidator.check(loss, loop, loopClassName, diagnostics);
    }
    for (MethodDeclaration step : withOneRole(loop, Role.STEP)) {
      StepValidator.check(step, loop, loopClassName, diagnostics);
    }
    StandardLossValidator.check(loop, diagnostics);
    StepValidator.checkSomeStepRunsEveryBatch(loop, diagnostics);
    InputsValidator.check(loop, diagnostics);
    PlacementValidator.checkInputsIn(loop.element(), diagnostics);
    StepValidator.checkTrainsSomething(loop, diagnostics);
    if (diagnostics.errorCount() > errorsBefore) {
      return false;
    }
    warnAboutUnusedMethods(loop);
    return true;
  }

  /**
   * The methods of {@code role} that have no other: which role a method with several was meant to
   * have is unknown, so it is checked as none (DuplicateRole).
   */
  private static List<MethodDeclaration> withOneRole(LoopDeclaration loop, Role role) {
    return loop.methods(role).stream().filter(method -> method.otherRoles().isEmpty()).toList();
  }

  /** The loop class's name must be free; not checked when the name is no name at all. */
  private void checkLoopName(LoopDeclaration loop, String loopClassName) {
    if (loop.element().getKind() != ElementKind.CLASS
        || !TrainingLoopValidator.validLoopName(loop)) {
      return;
    }
    String qualified = loop.qualifiedName(loopClassName);
    NameClash clash = clashes.apply(qualified);
    if (clash == null) {
      return;
    }
    reportClash(
        diagnostics, loop.element(), loop.annotation(), loop.loopNameValue(), qualified, clash);
  }

  /**
   * Reports that the loop class {@code qualifiedName} of {@code type} clashes: on the {@code name}
   * value if given, else on the annotation.
   */
  public static void reportClash(
      Diagnostics diagnostics,
      TypeElement type,
      AnnotationMirror annotation,
      AnnotationValue nameValue,
      String qualifiedName,
      NameClash clash) {
    if (clash.otherLoops().isEmpty()) {
      diagnostics.report(
          Message.LOOP_NAME_TAKEN,
          type,
          annotation,
          nameValue,
          qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1),
          "the name of " + clash.existingType() + ", which is already declared",
          "rename that type or choose another @TrainingLoop(name)");
    } else {
      diagnostics.report(
          Message.LOOP_NAME_TAKEN,
          type,
          annotation,
          nameValue,
          qualifiedName,
          "also the loop of " + String.join(" and ", clash.otherLoops()),
          "give one of them another @TrainingLoop(name)");
    }
  }

  private void warnAboutUnusedMethods(LoopDeclaration loop) {
    Set<MethodDeclaration> minimised = new HashSet<>();
    Set<MethodDeclaration> usedModels = new HashSet<>();
    for (MethodDeclaration step : loop.methods(Role.STEP)) {
      MethodDeclaration loss = loop.lossMethodOf(step);
      if (loss != null) {
        minimised.add(loss);
      }
    }
    for (MethodDeclaration loss : loop.methods(Role.LOSS)) {
      usedModels.addAll(loop.modelsUsedBy(loss));
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
